using ChatEngine.Gguf;
using ChatEngine.Runtime.Lora;
using ChatEngine.Runtime.Model;
using ChatEngine.Templates;

namespace ChatEngine.Cli;

/// <summary>Turns the errors a user can cause (bad path, bad file, bad value) into one line on stderr and exit code 1.</summary>
internal static class CliErrors
{
    public static int Run(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (IsUserError(e))
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    private static bool IsUserError(Exception e) => e is FileNotFoundException or DirectoryNotFoundException
        or UnauthorizedAccessException or GgufFormatException or NotSupportedException or ArgumentException
        or ContextOverflowException or CliUsageException or IOException or System.Text.Json.JsonException
        or TemplateSyntaxException or TemplateRenderException or LoraAdapterException;
}

/// <summary>An option value that parses but makes no sense (e.g. a context smaller than the prompt).</summary>
internal sealed class CliUsageException(string message) : Exception(message);
