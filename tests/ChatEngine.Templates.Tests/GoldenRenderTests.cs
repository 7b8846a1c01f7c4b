using ChatEngine.TestData;
using Xunit;

namespace ChatEngine.Templates.Tests;

/// <summary>
/// Every golden case renders byte for byte and every skipped case fails the way jinja2 did: chat-templates.json
/// (plain conversations) and chat-templates-tools.json (tools offered, single and parallel calls, tool results,
/// reasoning, enable_thinking / reasoning_effort kwargs).
/// </summary>
public sealed class GoldenRenderTests
{
    [SharedTheory]
    [MemberData(nameof(GoldenChatTemplates.RenderedCaseIds), MemberType = typeof(GoldenChatTemplates))]
    public void Renders_exactly_like_transformers(string caseId) => AssertRendersLikeJinja2(GoldenChatTemplates.Plain, caseId);

    [SharedTheory]
    [MemberData(nameof(GoldenChatTemplates.SkippedCaseIds), MemberType = typeof(GoldenChatTemplates))]
    public void Fails_where_jinja2_failed(string caseId) =>
        GoldenChatTemplates.Plain.AssertFailsLikeJinja2(GoldenChatTemplates.Plain.Find("skipped", caseId));

    [SharedTheory]
    [MemberData(nameof(GoldenChatTemplates.ToolRenderedCaseIds), MemberType = typeof(GoldenChatTemplates))]
    public void Tool_cases_render_exactly_like_transformers(string caseId) => AssertRendersLikeJinja2(GoldenChatTemplates.Tools, caseId);

    [SharedTheory]
    [MemberData(nameof(GoldenChatTemplates.ToolSkippedCaseIds), MemberType = typeof(GoldenChatTemplates))]
    public void Tool_cases_fail_where_jinja2_failed(string caseId) =>
        GoldenChatTemplates.Tools.AssertFailsLikeJinja2(GoldenChatTemplates.Tools.Find("skipped", caseId));

    private static void AssertRendersLikeJinja2(GoldenChatTemplates golden, string caseId)
    {
        var entry = golden.Find("cases", caseId);

        Assert.Equal((string)entry["rendered"]!, golden.Render(entry));
    }
}
