# ChatEngine server image: build with the .NET SDK, run on the ASP.NET runtime as a non-root user.
#   docker build -t chatengine .
#   docker run -p 8080:8080 chatengine                                   # the bundled default model
#   docker run -p 8080:8080 -v $PWD/my-models:/models:ro \
#       -e CHATENGINE_MODELPATH=/models/model.gguf chatengine            # your own GGUF
# Every `serve` setting is an environment variable CHATENGINE_<SETTING> (README: configuration reference).

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/ChatEngine.Cli/ChatEngine.Cli.csproj -c Release -o /app --no-self-contained -p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app .
ENV CHATENGINE_HOST=0.0.0.0 \
    CHATENGINE_PORT=8080 \
    CHATENGINE_PARALLEL=4 \
    CHATENGINE_CONTEXTSIZE=2048 \
    CHATENGINE_MODELS=/models/store \
    CHATENGINE_DATADIR=/data \
    DOTNET_gcServer=0
# users and keys (chatengine.db): a folder the unprivileged user may write, kept in a volume
RUN mkdir /data && chown $APP_UID /data
VOLUME ["/models", "/data"]
EXPOSE 8080
# the aspnet images define the unprivileged user "app" (APP_UID)
USER $APP_UID
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 CMD ["dotnet", "/app/chatengine.dll", "health"]
ENTRYPOINT ["dotnet", "/app/chatengine.dll"]
CMD ["serve"]
