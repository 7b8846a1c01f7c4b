namespace ChatEngine.Runtime;

/// <summary>The message roles every entry point accepts, and the role a chat template sees for each: OpenAI's
/// <c>developer</c> role is the system role to a GGUF chat template.</summary>
public static class ChatRoles
{
    /// <summary>The accepted roles, as an error message lists them.</summary>
    public const string Accepted = "system, developer, user, assistant";

    /// <summary>The template's role for <paramref name="role"/>, or null when it is not one of <see cref="Accepted"/>.</summary>
    public static string? ToTemplateRole(string? role) => role switch
    {
        "developer" => "system",
        "system" or "user" or "assistant" => role,
        _ => null,
    };
}
