using ChatEngine.TestData;
using Xunit;

namespace ChatEngine.Templates.Tests;

/// <summary>Every golden case of chat-templates.json renders byte for byte; every skipped case fails the way jinja2 did.</summary>
public sealed class GoldenRenderTests
{
    [SharedTheory]
    [MemberData(nameof(GoldenChatTemplates.RenderedCaseIds), MemberType = typeof(GoldenChatTemplates))]
    public void Renders_exactly_like_transformers(string caseId)
    {
        var entry = GoldenChatTemplates.Find("cases", caseId);
        var template = ChatTemplate.Parse(GoldenChatTemplates.TemplateSource(entry));

        var rendered = template.Render(GoldenChatTemplates.Conversation(entry), GoldenChatTemplates.Options(entry));

        Assert.Equal((string)entry["rendered"]!, rendered);
    }

    [SharedTheory]
    [MemberData(nameof(GoldenChatTemplates.SkippedCaseIds), MemberType = typeof(GoldenChatTemplates))]
    public void Fails_where_jinja2_failed(string caseId)
    {
        var entry = GoldenChatTemplates.Find("skipped", caseId);
        var template = ChatTemplate.Parse(GoldenChatTemplates.TemplateSource(entry));

        var error = Assert.ThrowsAny<TemplateRenderException>(
            () => template.Render(GoldenChatTemplates.Conversation(entry), GoldenChatTemplates.Options(entry)));

        var reason = (string)entry["reason"]!;
        const string raised = "TemplateError: ";
        if (reason.StartsWith(raised, StringComparison.Ordinal))
        {
            Assert.IsType<TemplateRaisedException>(error);
            Assert.Equal(reason[raised.Length..], error.Message);
        }
        else
        {
            Assert.IsNotType<TemplateRaisedException>(error);
            Assert.True(error.Line > 0 && error.Column > 0);
        }
    }
}
