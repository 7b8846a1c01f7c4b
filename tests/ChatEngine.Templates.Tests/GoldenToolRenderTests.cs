using ChatEngine.TestData;
using Xunit;

namespace ChatEngine.Templates.Tests;

/// <summary>
/// Every golden case of chat-templates-tools.json (tools offered, single and parallel calls, tool results, reasoning,
/// enable_thinking / reasoning_effort kwargs) renders byte for byte; every skipped case fails the way jinja2 did.
/// </summary>
public sealed class GoldenToolRenderTests
{
    private static readonly GoldenChatTemplates Golden = GoldenChatTemplates.Tools;

    [SharedTheory]
    [MemberData(nameof(GoldenChatTemplates.ToolRenderedCaseIds), MemberType = typeof(GoldenChatTemplates))]
    public void Renders_exactly_like_transformers(string caseId)
    {
        var entry = Golden.Find("cases", caseId);

        Assert.Equal((string)entry["rendered"]!, Golden.Render(entry));
    }

    [SharedTheory]
    [MemberData(nameof(GoldenChatTemplates.ToolSkippedCaseIds), MemberType = typeof(GoldenChatTemplates))]
    public void Fails_where_jinja2_failed(string caseId) => Golden.AssertFailsLikeJinja2(Golden.Find("skipped", caseId));
}
