using Bunit;
using ChatEngine.Web.Components;
using ChatEngine.Web.Conversations;
using Microsoft.AspNetCore.Components.Web;
using Xunit;

namespace ChatEngine.Web.Tests.Components;

/// <summary>The sidebar rendered on its own (bUnit): the search filter and the delete confirmation.</summary>
public sealed class ConversationListTests : BunitContext
{
    private readonly Conversation _cats = new() { Title = "Cats", Messages = [new ChatEntry { Content = "Why do cats purr?" }] };
    private readonly Conversation _dogs = new() { Title = "Dogs", Messages = [new ChatEntry { Content = "A dog that purrs like a cat" }] };
    private readonly Conversation _trains = new() { Title = "Trains", Messages = [new ChatEntry { Content = "Steam engines" }] };
    private readonly List<Conversation> _deleted = [];

    public ConversationListTests() => JSInterop.Mode = JSRuntimeMode.Loose;

    private IRenderedComponent<ConversationList> RenderList() =>
        Render<ConversationList>(p => p.Add(l => l.Conversations, [_cats, _dogs, _trains]).Add(l => l.OnDelete, _deleted.Add));

    private static List<string> Titles(IRenderedComponent<ConversationList> list) => list.FindAll("li button.select").Select(b => b.TextContent).ToList();

    [Fact]
    public void Search_keeps_the_chats_whose_title_or_messages_contain_the_query_ignoring_case()
    {
        var list = RenderList();
        Assert.Equal(["Cats", "Dogs", "Trains"], Titles(list));

        list.Find("input.search").Input("PURR");
        Assert.Equal(["Cats", "Dogs"], Titles(list));

        list.Find("input.search").Input("trains");
        Assert.Equal(["Trains"], Titles(list));

        list.Find("input.search").Input("");
        Assert.Equal(["Cats", "Dogs", "Trains"], Titles(list));
    }

    [Fact]
    public void A_search_that_matches_nothing_says_so()
    {
        var list = RenderList();

        list.Find("input.search").Input("zebra");

        Assert.Empty(Titles(list));
        Assert.Equal("No chat contains “zebra”.", list.Find(".no-match").TextContent);
    }

    [Fact]
    public void Delete_asks_first_and_deletes_only_when_confirmed()
    {
        var list = RenderList();

        list.Find($"li[data-id='{_dogs.Id}'] .delete-button").Click();
        Assert.Contains("Delete “Dogs”?", list.Find(".confirm-delete").TextContent, StringComparison.Ordinal);
        Assert.Empty(_deleted);

        list.Find(".delete-yes").Click();
        Assert.Equal([_dogs], _deleted);
        Assert.Empty(list.FindAll(".confirm-delete"));
    }

    [Fact]
    public void Cancel_or_Escape_leaves_the_chat_alone()
    {
        var list = RenderList();

        list.Find($"li[data-id='{_cats.Id}'] .delete-button").Click();
        list.Find(".delete-no").Click();
        Assert.Empty(list.FindAll(".confirm-delete"));

        list.Find($"li[data-id='{_cats.Id}'] .delete-button").Click();
        list.Find(".confirm-delete").KeyDown(new KeyboardEventArgs { Key = "Escape" });
        Assert.Empty(list.FindAll(".confirm-delete"));

        Assert.Empty(_deleted);
        Assert.Equal(["Cats", "Dogs", "Trains"], Titles(list));
    }
}
