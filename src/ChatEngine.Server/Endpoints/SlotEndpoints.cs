using System.Diagnostics;
using System.Text.Json;
using ChatEngine.Server.OpenApi;
using ChatEngine.Server.Protocol;

namespace ChatEngine.Server.Endpoints;

/// <summary>
/// llama-server's slot endpoints: <c>GET /slots</c> (each slot's id, context, whether it generates, cached tokens) and
/// <c>POST /slots/{id}?action=save|restore|erase</c>. Save writes an idle slot's cached tokens with their keys and
/// values to <c>{"filename"}</c> in <see cref="ServerOptions.SlotSavePath"/>, restore loads one back, so a long
/// conversation's prompt survives a restart without being evaluated again; erase empties the cache.
/// </summary>
internal static class SlotEndpoints
{
    public static void Map(WebApplication app, ServerState state)
    {
        app.MapGet("/slots", ApiDocument.Described(async context =>
        {
            var host = state.RequireModel();
            var slots = await host.Scheduler.SlotStatesAsync();
            await InfoEndpoints.WriteAsync(context, json =>
            {
                json.WriteStartArray();
                foreach (var slot in slots)
                {
                    json.WriteStartObject();
                    json.WriteNumber("id", slot.Id);
                    json.WriteNumber("n_ctx", host.Scheduler.ContextSize);
                    json.WriteBoolean("is_processing", slot.IsProcessing);
                    json.WriteNumber("cached_tokens", slot.CachedTokens);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            });
        })).WithName("listSlots");

        app.MapPost("/slots/{id}", ApiDocument.Described(async context =>
        {
            var host = state.RequireModel();
            var id = SlotId(context, host.Scheduler.SlotCount);
            var action = context.Request.Query["action"].ToString();
            var started = Stopwatch.GetTimestamp();
            try
            {
                switch (action)
                {
                    case "save":
                    {
                        var path = await FilePathAsync(context, state);
                        var saved = await host.Scheduler.SaveSlotAsync(id);
                        var part = path + ".part";
                        await File.WriteAllBytesAsync(part, saved.Data, context.RequestAborted);
                        File.Move(part, path, overwrite: true);
                        await Answer(context, id, path, "n_saved", saved.Tokens, "n_written", saved.Data.Length, "save_ms", started);
                        break;
                    }
                    case "restore":
                    {
                        var path = await FilePathAsync(context, state);
                        if (!File.Exists(path))
                            throw new ApiException(StatusCodes.Status404NotFound, $"no saved slot '{Path.GetFileName(path)}'", "invalid_request_error", "filename", "file_not_found");
                        var data = await File.ReadAllBytesAsync(path, context.RequestAborted);
                        var restored = await host.Scheduler.RestoreSlotAsync(id, data);
                        await Answer(context, id, path, "n_restored", restored, "n_read", data.Length, "restore_ms", started);
                        break;
                    }
                    case "erase":
                    {
                        var erased = await host.Scheduler.EraseSlotAsync(id);
                        await InfoEndpoints.WriteAsync(context, json =>
                        {
                            json.WriteStartObject();
                            json.WriteNumber("id_slot", id);
                            json.WriteNumber("n_erased", erased);
                            json.WriteEndObject();
                        });
                        break;
                    }
                    default:
                        throw ApiException.InvalidRequest($"'action' '{ErrorText.Excerpt(action)}' is not one of save, restore, erase", "action", "invalid_value");
                }
            }
            catch (InvalidOperationException e)
            {
                throw new ApiException(StatusCodes.Status409Conflict, e.Message, "invalid_request_error", "id_slot", "slot_busy");
            }
            catch (NotSupportedException e)
            {
                throw ApiException.InvalidRequest(e.Message, "id_slot", "unsupported_parameter");
            }
            catch (InvalidDataException e)
            {
                throw ApiException.InvalidRequest($"the file is not a saved slot this server can restore: {e.Message}", "filename", "invalid_value");
            }
        })).WithName("manageSlot");
    }

    private static int SlotId(HttpContext context, int slots)
    {
        var text = context.Request.RouteValues["id"]?.ToString();
        return int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id) && id < slots
            ? id
            : throw ApiException.InvalidRequest($"slot '{ErrorText.Excerpt(text)}' does not exist (slots 0 to {slots - 1})", "id_slot", "invalid_value");
    }

    /// <summary>The body's <c>filename</c> inside the save folder: a plain file name, nothing that leaves the folder.</summary>
    private static async Task<string> FilePathAsync(HttpContext context, ServerState state)
    {
        var folder = state.Options.SlotSavePath
            ?? throw ApiException.InvalidRequest("saving and restoring slots is off; start the server with --slot-save-path DIR", "action", "unsupported_parameter");
        using var body = await RequestBody.ReadAsync(context, state.Options.MaxRequestBodyBytes);
        var name = body.String("filename") ?? throw ApiException.InvalidRequest("'filename' is required", "filename", "missing_required_parameter");
        if (name.Length is 0 or > 255 || name is "." or ".." || name.IndexOfAny(['/', '\\', '\0']) >= 0 || name != Path.GetFileName(name))
            throw ApiException.InvalidRequest($"'filename' '{ErrorText.Excerpt(name)}' must be a plain file name (no folders)", "filename", "invalid_value");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name);
    }

    private static Task Answer(HttpContext context, int id, string path, string tokensName, int tokens, string bytesName, int bytes, string timeName, long started) =>
        InfoEndpoints.WriteAsync(context, json =>
        {
            json.WriteStartObject();
            json.WriteNumber("id_slot", id);
            json.WriteString("filename", Path.GetFileName(path));
            json.WriteNumber(tokensName, tokens);
            json.WriteNumber(bytesName, bytes);
            json.WriteStartObject("timings");
            json.WriteNumber(timeName, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            json.WriteEndObject();
            json.WriteEndObject();
        });
}
