using System.CommandLine;
using System.Text.RegularExpressions;
using ChatEngine.Accounts;
using ChatEngine.Gguf;
using ChatEngine.ModelStore;
using ChatEngine.Runtime.Lora;
using ChatEngine.Runtime.Model;
using ChatEngine.Server;
using ChatEngine.Templates;
using ChatEngine.Training;
using ChatEngine.Training.Data;

namespace ChatEngine.Cli;

/// <summary>
/// Turns the errors a user can cause (bad path, bad file, bad value) into one line on stderr and exit code 1, and a
/// Ctrl+C that cancelled a verb into one line and exit code 130 (what a shell reports for SIGINT).
/// </summary>
internal static partial class CliErrors
{
    private const int CancelledExitCode = 130;

    public static int Run(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (OperationCanceledException e) when (e.InnerException is not TimeoutException)
        {
            Console.Error.WriteLine("error: cancelled");
            return CancelledExitCode;
        }
        catch (Exception e) when (IsUserError(e))
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    /// <summary>
    /// Parse errors as <c>error: ...</c> lines and a pointer to the verb's help, exit code 1 (System.CommandLine would
    /// print the whole help page after them); a command line naming no verb still gets the help page.
    /// </summary>
    public static int Invoke(ParseResult parse)
    {
        var configuration = new InvocationConfiguration { EnableDefaultExceptionHandler = false };
        if (parse.Errors.Count == 0 || parse.Tokens.Count == 0) return parse.Invoke(configuration);
        foreach (var error in parse.Errors) Console.Error.WriteLine($"error: {Plain(error.Message)}");
        var verbs = new List<string>();
        for (var result = parse.CommandResult; result.Command is not RootCommand; result = (System.CommandLine.Parsing.CommandResult)result.Parent!)
            verbs.Insert(0, result.Command.Name);
        Console.Error.WriteLine($"see '{string.Join(' ', ["chatengine", .. verbs, "--help"])}'");
        return 1;
    }

    /// <summary>System.CommandLine's conversion message (naming .NET types such as <c>System.Nullable`1[System.Int32]</c>) in words.</summary>
    private static string Plain(string message)
    {
        var match = ConversionMessage().Match(message);
        if (!match.Success) return message;
        var form = Type.GetType(match.Groups["type"].Value) is { } type ? ValueForm.Describe(type) : null;
        return form is null ? message : $"{match.Groups["name"].Value}: '{match.Groups["value"].Value}' is not {form}";
    }

    [GeneratedRegex(@"^Cannot parse argument '(?<value>.*)' for (?:option|command|argument) '(?<name>[^']+)' as expected type '(?<type>[^']+)'\.?$", RegexOptions.Singleline)]
    private static partial Regex ConversionMessage();

    private static bool IsUserError(Exception e) => e is FileNotFoundException or DirectoryNotFoundException
        or UnauthorizedAccessException or GgufFormatException or NotSupportedException or ArgumentException
        or ContextOverflowException or CliUsageException or IOException or System.Text.Json.JsonException
        or TemplateSyntaxException or TemplateRenderException or LoraAdapterException or ModelSelectionException
        or HubRequestException or ChecksumMismatchException or HttpRequestException or TimeoutException
        or TrainingDataException or CheckpointMismatchException or AccountException or System.Data.Common.DbException;
}

/// <summary>An option value that parses but makes no sense (e.g. a context smaller than the prompt).</summary>
internal sealed class CliUsageException(string message) : Exception(message);
