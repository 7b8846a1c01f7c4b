using ChatEngine.TestData;
using Xunit;

namespace ChatEngine.Templates.Tests;

/// <summary>Every golden case of chat-templates.json renders byte for byte; every skipped case fails the way jinja2 did.</summary>
public sealed class GoldenRenderTests
{
    private static readonly GoldenChatTemplates Golden = GoldenChatTemplates.Plain;

    [SharedTheory]
    [MemberData(nameof(GoldenChatTemplates.RenderedCaseIds), MemberType = typeof(GoldenChatTemplates))]
    public void Renders_exactly_like_transformers(string caseId)
    {
        var entry = Golden.Find("cases", caseId);

        Assert.Equal((string)entry["rendered"]!, Golden.Render(entry));
    }

    [SharedTheory]
    [MemberData(nameof(GoldenChatTemplates.SkippedCaseIds), MemberType = typeof(GoldenChatTemplates))]
    public void Fails_where_jinja2_failed(string caseId) => Golden.AssertFailsLikeJinja2(Golden.Find("skipped", caseId));
}
