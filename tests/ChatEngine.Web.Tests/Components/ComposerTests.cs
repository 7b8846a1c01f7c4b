using Bunit;
using ChatEngine.Web.Components;
using Xunit;

namespace ChatEngine.Web.Tests.Components;

/// <summary>The message box rendered on its own (bUnit). Enter itself is wired in the browser by chat.js
/// (<c>chatEngine.bindComposer</c>, covered end to end by the Playwright tests): here the submit it triggers, and
/// that the box is handed to that script.</summary>
public sealed class ComposerTests : BunitContext
{
    private readonly List<string> _sent = [];

    public ComposerTests() => JSInterop.SetupVoid("chatEngine.bindComposer", _ => true);

    private IRenderedComponent<Composer> RenderComposer(bool busy = false, Action? onStop = null) =>
        Render<Composer>(p => p.Add(c => c.Busy, busy).Add(c => c.OnSend, _sent.Add).Add(c => c.OnStop, onStop ?? (() => { })));

    [Fact]
    public void The_message_box_is_handed_to_the_script_that_makes_Enter_send_and_Shift_Enter_a_new_line()
    {
        var composer = RenderComposer();

        var invocation = JSInterop.VerifyInvoke("chatEngine.bindComposer");
        invocation.Arguments[0].ShouldBeElementReferenceTo(composer.Find("textarea"));
    }

    [Fact]
    public void Sending_a_multi_line_draft_sends_it_trimmed_with_its_new_lines_and_empties_the_box()
    {
        var composer = RenderComposer();

        composer.Find("textarea").Input("  first line\nsecond line \n");
        composer.Find("form").Submit();

        Assert.Equal(["first line\nsecond line"], _sent);
        Assert.Equal("", composer.Find("textarea").GetAttribute("value"));
    }

    [Fact]
    public void A_blank_draft_is_not_sent()
    {
        var composer = RenderComposer();

        composer.Find("textarea").Input(" \n ");
        composer.Find("form").Submit();

        Assert.Empty(_sent);
    }

    [Fact]
    public void While_answering_Stop_replaces_Send_and_the_draft_waits()
    {
        var stops = 0;
        var composer = RenderComposer(busy: true, onStop: () => stops++);

        Assert.Empty(composer.FindAll("button.send"));
        composer.Find("textarea").Input("next question");
        composer.Find("form").Submit();
        composer.Find("button.stop").Click();

        Assert.Empty(_sent);
        Assert.Equal(1, stops);
    }
}
