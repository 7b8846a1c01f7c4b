// Browser-side helpers of the chat UI; everything else runs on the server over the Blazor circuit.
window.chatEngine = {
  // Enter submits the composer's form; Shift+Enter (or Enter while an IME is composing) inserts a new line.
  bindComposer(textarea) {
    textarea.addEventListener('keydown', e => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        textarea.form.requestSubmit();
      }
    });
    textarea.dataset.bound = 'true';
    textarea.focus();
  },
  scrollToEnd(id) {
    const element = document.getElementById(id);
    if (element) element.scrollTop = element.scrollHeight;
  },
};

// Keep retrying a dropped connection; when the server no longer knows the circuit (it restarted), reload:
// the conversations are in local storage, so nothing is lost.
document.addEventListener('components-reconnect-state-changed', e => {
  if (e.detail && e.detail.state === 'rejected') location.reload();
});
Blazor.start({ circuit: { reconnectionOptions: { maxRetries: 1000, retryIntervalMilliseconds: 2000 } } });
