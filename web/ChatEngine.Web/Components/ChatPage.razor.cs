using System.Diagnostics;
using ChatEngine.Server.Chat;
using ChatEngine.Web.Conversations;
using Microsoft.JSInterop;

namespace ChatEngine.Web.Components;

/// <summary>
/// The chat screen: owns the conversations (loaded from and saved to local storage once the page is interactive),
/// runs one answer at a time through <see cref="ChatService"/> and shows it token by token.
/// </summary>
public sealed partial class ChatPage : IDisposable
{
    private List<Conversation> _conversations = [];
    private Conversation? _current;
    private ChatSettings _settings = new();
    private BrowserStore? _store;
    private CancellationTokenSource? _generation;
    private ChatEntry? _answer;
    private AnswerStats? _liveStats;
    private string? _notice;
    private string? _announcement;
    private bool _showConversations;
    private bool _showSettings;
    private bool _loaded;
    private bool _showEnd = true;

    private bool Busy => _generation is not null;

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (firstRender)
        {
            _store = new BrowserStore(JS);
            _conversations = await _store.LoadConversationsAsync();
            _settings = await _store.LoadSettingsAsync();
            var selected = await _store.LoadSelectedAsync();
            _current = _conversations.Find(c => c.Id == selected) ?? _conversations.FirstOrDefault();
            _loaded = true;
            StateHasChanged();
        }
        // While an answer streams the view follows it only if the reader is at the end (chat.js); a new answer or another
        // conversation always shows its end.
        if (_answer is not null || _current is not null) await JS.InvokeVoidAsync("chatEngine.scrollToEnd", "messages", _showEnd);
        _showEnd = false;
    }

    private async Task NewConversationAsync()
    {
        if (Busy) return;
        _current = new Conversation();
        _conversations.Insert(0, _current);
        _notice = null;
        _showConversations = false;
        await SaveAsync();
    }

    private async Task SelectAsync(Conversation conversation)
    {
        if (Busy) return;
        _showEnd = true;
        _current = conversation;
        _notice = null;
        _showConversations = false;
        await _store!.SaveSelectedAsync(conversation.Id);
    }

    private async Task DeleteAsync(Conversation conversation)
    {
        if (Busy && conversation == _current) return;
        _conversations.Remove(conversation);
        if (conversation == _current) _current = _conversations.FirstOrDefault();
        await SaveAsync();
    }

    private async Task ExportAsync(ExportFormat format)
    {
        if (_current is null) return;
        var (text, extension, type) = format == ExportFormat.Markdown
            ? (ConversationExport.ToMarkdown(_current), "md", "text/markdown")
            : (ConversationExport.ToJson(_current), "json", "application/json");
        await JS.InvokeVoidAsync("chatEngine.download", ConversationExport.FileName(_current, extension), type, text);
    }

    private async Task RenameAsync((Conversation Conversation, string Title) rename)
    {
        rename.Conversation.Title = rename.Title;
        await SaveAsync();
    }

    private async Task SendAsync(string text)
    {
        if (Busy || !_loaded) return;
        if (_current is null)
        {
            _current = new Conversation();
            _conversations.Insert(0, _current);
        }
        if (_current.Title == Conversation.DefaultTitle) _current.Title = text.Length <= 40 ? text : text[..40] + "…";
        _current.Messages.Add(new ChatEntry { Role = "user", Content = text });
        await SaveAsync();
        await AnswerAsync();
    }

    private async Task RegenerateAsync()
    {
        if (Busy || _current is not { Messages: [.., { Role: "assistant" } previous] }) return;
        _current.Messages.RemoveAt(_current.Messages.Count - 1);
        await AnswerAsync(previous);
    }

    private async Task EditAndResendAsync((int Index, string Text) edit)
    {
        if (Busy || _current is null) return;
        _current.Messages.RemoveRange(edit.Index, _current.Messages.Count - edit.Index);
        _current.Messages.Add(new ChatEntry { Role = "user", Content = edit.Text.Trim() });
        await SaveAsync();
        await AnswerAsync();
    }

    private void Stop() => _generation?.Cancel();

    private Task ShowVersionAsync(ChatEntry entry, int index)
    {
        if (Busy) return Task.CompletedTask;
        entry.Show(index);
        return SaveAsync();
    }

    /// <summary>Streams an answer to the conversation as it stands, rendering after every chunk; a regenerated answer
    /// keeps the <paramref name="earlier"/> ones as versions (and they stay when the server refuses).</summary>
    private async Task AnswerAsync(ChatEntry? earlier = null)
    {
        var conversation = _current!;
        var request = new ChatStreamRequest
        {
            Messages = [.. conversation.Messages.Select(m => new ChatTurn(m.Role, m.Content))],
            SystemPrompt = _settings.SystemPrompt,
            Model = string.IsNullOrEmpty(_settings.Model) ? null : _settings.Model,
            Temperature = _settings.Temperature,
            TopP = _settings.TopP,
            MaxTokens = _settings.MaxTokens,
            Thinking = Chat.Info.ThinkingToggle ? _settings.Thinking : null,
        };
        _notice = null;
        using var cancellation = new CancellationTokenSource();
        ChatGeneration generation;
        try
        {
            generation = Chat.Start(request, cancellation.Token);
        }
        catch (ChatException e)
        {
            if (earlier is not null) conversation.Messages.Add(earlier);
            _notice = e.Code == ChatException.QueueFull
                ? "The server is busy: every slot is taken and the queue is full. Please try again in a moment."
                : $"The server refused the message: {e.Message}";
            return;
        }

        var answer = new ChatEntry { Role = "assistant" };
        conversation.Messages.Add(answer);
        _generation = cancellation;
        _answer = answer;
        _showEnd = true;
        _liveStats = null;
        _announcement = "Answering…";
        var started = Stopwatch.GetTimestamp();
        long firstChunk = 0;
        var chunks = 0;
        try
        {
            await foreach (var chunk in generation.ReadAllAsync(cancellation.Token))
            {
                if (chunk.Summary is { } summary)
                {
                    answer.Stats = new AnswerStats(summary.FinishReason, summary.Usage.CompletionTokens,
                        summary.Timings.TimeToFirstTokenMs, summary.Timings.TokensPerSecond, summary.ContextFull, summary.OmittedMessages);
                    break;
                }
                if (chunks++ == 0) firstChunk = Stopwatch.GetTimestamp();
                answer.Content += chunk.Text;
                answer.Reasoning += chunk.Reasoning;
                var decodeSeconds = Stopwatch.GetElapsedTime(firstChunk).TotalSeconds;
                _liveStats = new AnswerStats("", chunks, Stopwatch.GetElapsedTime(started, firstChunk).TotalMilliseconds,
                    chunks > 1 && decodeSeconds > 0 ? (chunks - 1) / decodeSeconds : 0);
                StateHasChanged();
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            answer.Stats = (_liveStats ?? new AnswerStats("", 0, 0, 0)) with { FinishReason = "stopped" };
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _notice = $"The answer failed: {e.Message}";
        }
        finally
        {
            _generation = null;
            _answer = null;
            _announcement = "Answer complete.";
        }
        if (earlier is not null) answer.KeepVersionsOf(earlier);
        await SaveAsync();
    }

    private async Task SaveAsync()
    {
        await _store!.SaveConversationsAsync(_conversations);
        await _store.SaveSelectedAsync(_current?.Id);
    }

    private Task SaveSettingsAsync() => _store!.SaveSettingsAsync(_settings);

    public void Dispose() => _generation?.Cancel();
}
