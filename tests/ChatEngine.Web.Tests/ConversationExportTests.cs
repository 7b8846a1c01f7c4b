using System.Text.Json;
using ChatEngine.Web.Conversations;
using Xunit;

namespace ChatEngine.Web.Tests;

public sealed class ConversationExportTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private static Conversation Sample() => new()
    {
        Title = "Rabbits: where / why?",
        Messages =
        [
            new ChatEntry { Role = "user", Content = "Where do *rabbits* live?" },
            new ChatEntry { Role = "assistant", Content = "In burrows.\n\n```\ndig()\n```\n", Stats = new AnswerStats("stop", 9, 12, 80) },
        ],
    };

    [Fact]
    public void Markdown_has_the_title_and_each_message_under_its_author()
    {
        Assert.Equal("# Rabbits: where / why?\n\n**You:**\n\nWhere do *rabbits* live?\n\n**Assistant:**\n\nIn burrows.\n\n```\ndig()\n```\n",
            ConversationExport.ToMarkdown(Sample()));
    }

    [Fact]
    public void Json_round_trips_to_the_same_conversation()
    {
        var json = ConversationExport.ToJson(Sample());
        var back = JsonSerializer.Deserialize<Conversation>(json, Web)!;

        Assert.Equal("Rabbits: where / why?", back.Title);
        Assert.Equal(["user", "assistant"], back.Messages.Select(m => m.Role));
        Assert.Equal(Sample().Messages[1].Content, back.Messages[1].Content);
        Assert.Equal(new AnswerStats("stop", 9, 12, 80), back.Messages[1].Stats);
    }

    [Theory]
    [InlineData("Rabbits: where / why?", "md", "rabbits-where-why.md")]
    [InlineData("../../etc/passwd", "json", "etc-passwd.json")]
    [InlineData("???", "md", "chat.md")]
    public void File_names_keep_letters_and_digits_only(string title, string extension, string expected)
    {
        Assert.Equal(expected, ConversationExport.FileName(new Conversation { Title = title }, extension));
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("RABBITS", true)]
    [InlineData("burrows", true)]
    [InlineData("  dig() ", true)]
    [InlineData("foxes", false)]
    public void Search_matches_the_title_or_any_message_ignoring_case(string query, bool expected)
    {
        Assert.Equal(expected, Sample().Contains(query));
    }
}
