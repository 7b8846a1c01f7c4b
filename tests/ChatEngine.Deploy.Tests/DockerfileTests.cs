using System.Collections;
using System.Net;
using System.Net.Sockets;
using ChatEngine.Server;
using Xunit;

namespace ChatEngine.Deploy.Tests;

/// <summary>
/// Docker cannot run on this machine class, so the Dockerfile is checked in two ways: its structure (multi-stage,
/// non-root, volume, health check, settings that bind to the server's options) and, for real, its build step: the
/// exact <c>dotnet publish</c> command it runs is run here into a temporary folder, and the published app is started
/// the way the image starts it until <c>/health</c> answers and the HEALTHCHECK command succeeds.
/// </summary>
[Collection(DotnetBuildCollection.Name)]
public sealed class DockerfileTests
{
    private static readonly Dockerfile File = Dockerfile.Parse(RepoFiles.Read("Dockerfile"));
    private static Dockerfile.Stage Build => File.Stages[0];
    private static Dockerfile.Stage Runtime => File.Stages[^1];

    [Fact]
    public void It_builds_with_the_sdk_and_runs_on_the_aspnet_runtime_as_a_non_root_user()
    {
        Assert.Equal(2, File.Stages.Count);
        Assert.Equal("mcr.microsoft.com/dotnet/sdk:10.0", Build.Image);
        Assert.Equal("build", Build.Name);
        Assert.Equal("mcr.microsoft.com/dotnet/aspnet:10.0", Runtime.Image);
        Assert.StartsWith("--from=build ", Runtime.Single("COPY").Arguments);
        var user = Runtime.Single("USER").Arguments;
        Assert.DoesNotContain(user, new[] { "root", "0", "0:0" });
        Assert.True(Runtime.Single("USER").Line > Runtime.Single("COPY").Line, "USER must come after the files are in place");
        // The runtime stage runs one command only: the data folder (users and keys) made writable for the unprivileged user.
        var run = Assert.Single(Runtime.All("RUN"));
        Assert.Equal("mkdir /data && chown $APP_UID /data", run.Arguments);
        Assert.True(run.Line < Runtime.Single("USER").Line, "the data folder must be made before the user switch");
    }

    [Fact]
    public void The_model_is_a_volume_the_port_is_exposed_and_the_settings_bind_to_the_server_options()
    {
        var environment = Runtime.Environment();
        Assert.Contains("\"/models\"", Runtime.Single("VOLUME").Arguments);
        Assert.Equal(environment["CHATENGINE_PORT"], Runtime.Single("EXPOSE").Arguments);
        Assert.StartsWith("/models/", environment["CHATENGINE_MODELS"]);

        var options = ServerConfiguration.Load(null, new Dictionary<string, string?>(), new Hashtable(environment));

        Assert.Equal("0.0.0.0", options.Host);
        Assert.Equal(int.Parse(environment["CHATENGINE_PORT"], System.Globalization.CultureInfo.InvariantCulture), options.Port);
        Assert.Equal(ServerOptions.DefaultModelPath, options.ModelPath);
    }

    [Fact]
    public void The_health_check_and_the_entry_point_run_the_published_cli()
    {
        Assert.Contains("--interval=", Runtime.Single("HEALTHCHECK").Arguments);
        Assert.Equal(["dotnet", "/app/chatengine.dll", "health"], HealthCheckCommand());
        Assert.Equal(["dotnet", "/app/chatengine.dll"], Dockerfile.ExecForm(Runtime.Single("ENTRYPOINT").Arguments));
        Assert.Equal(["serve"], Dockerfile.ExecForm(Runtime.Single("CMD").Arguments));
    }

    [Fact]
    public async Task The_publish_command_it_runs_makes_an_app_that_serves_health_and_passes_its_health_check()
    {
        var publish = Build.All("RUN").Single(r => r.Arguments.StartsWith("dotnet publish ", StringComparison.Ordinal)).Arguments.Split(' ');
        var output = Array.IndexOf(publish, "-o");
        Assert.Equal("/app", publish[output + 1]);
        var app = Directory.CreateTempSubdirectory("chatengine-publish-").FullName;
        try
        {
            publish[output + 1] = app;
            var (code, log) = Processes.Run(Processes.Command(publish[0], publish[1..], RepoFiles.Path()), TimeSpan.FromMinutes(8));
            Assert.True(code == 0, log);
            Assert.True(System.IO.File.Exists(Path.Combine(app, ServerOptions.DefaultModelPath)), "the default model is published beside the app");

            var port = FreePort();
            var environment = Runtime.Environment();
            environment["CHATENGINE_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            environment["CHATENGINE_THREADS"] = "1";
            var entry = Dockerfile.ExecForm(Runtime.Single("ENTRYPOINT").Arguments).Concat(Dockerfile.ExecForm(Runtime.Single("CMD").Arguments)).Select(a => a.Replace("/app/", app + "/", StringComparison.Ordinal)).ToArray();
            // WORKDIR /app: started from a folder with no models/ of its own, the app must find the default model beside itself
            using var server = Processes.Start(Processes.Command(entry[0], entry[1..], app, environment), out var serverLog);
            try
            {
                await WaitForHealthAsync(new Uri($"http://127.0.0.1:{port}/health"), server, serverLog);
                var check = HealthCheckCommand().Select(a => a.Replace("/app/", app + "/", StringComparison.Ordinal)).ToArray();
                var (healthCode, healthLog) = Processes.Run(Processes.Command(check[0], check[1..], app, environment), TimeSpan.FromMinutes(1));
                Assert.True(healthCode == 0, healthLog);
            }
            finally
            {
                server.Kill(entireProcessTree: true);
                await server.WaitForExitAsync();
            }
        }
        finally
        {
            Directory.Delete(app, recursive: true);
        }
    }

    private static async Task WaitForHealthAsync(Uri url, System.Diagnostics.Process server, System.Text.StringBuilder log)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            Assert.False(server.HasExited, $"the app exited with {(server.HasExited ? server.ExitCode : 0)}:\n{log}");
            try
            {
                using var response = await http.GetAsync(url);
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException)
            {
            }
            Assert.True(DateTime.UtcNow < deadline, $"{url} not healthy after 2 minutes:\n{log}");
            await Task.Delay(250);
        }
    }

    private static string[] HealthCheckCommand()
    {
        var arguments = Runtime.Single("HEALTHCHECK").Arguments;
        return Dockerfile.ExecForm(arguments[arguments.IndexOf(" CMD ", StringComparison.Ordinal)..]);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
