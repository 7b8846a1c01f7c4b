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
  // Scrolls to the end when asked to (force) or when the reader is already there: someone who scrolled up to read
  // stays where they are while the answer streams.
  scrollToEnd(id, force) {
    const element = document.getElementById(id);
    if (!element) return;
    if (!element.dataset.watched) {
      element.dataset.watched = 'true';
      element.addEventListener('scroll', () => {
        // The event of our own scroll can arrive after the next chunk made the text taller: still at the end.
        if (element.scrollTop === element.followedTo) return;
        element.dataset.atEnd = String(element.scrollHeight - element.scrollTop - element.clientHeight < 48);
      });
    }
    if (force || element.dataset.atEnd !== 'false') {
      element.scrollTop = element.scrollHeight;
      element.followedTo = element.scrollTop;
      element.dataset.atEnd = 'true';
    }
  },
  // Saves text as a file (an export of a conversation).
  download(fileName, type, text) {
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([text], { type }));
    link.download = fileName;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  },
  // Flips between light and dark (starting from what the system shows) and remembers the choice.
  toggleTheme() {
    const root = document.documentElement;
    const dark = root.dataset.theme ? root.dataset.theme === 'dark' : matchMedia('(prefers-color-scheme: dark)').matches;
    root.dataset.theme = dark ? 'light' : 'dark';
    localStorage.setItem('chatengine.theme', root.dataset.theme);
  },
};

// Keyboard shortcuts: Escape stops the answer being written (unless it is cancelling an edit or a rename),
// Ctrl+Shift+O (⌘+Shift+O) starts a new chat, and "/" outside a text field goes to the composer. They press the
// page's own buttons, so they do only what a click would.
document.addEventListener('keydown', e => {
  const typing = e.target.closest && e.target.closest('input, textarea, [contenteditable]');
  if (e.key === 'Escape' && (!typing || e.target.id === 'composer-input')) {
    const stop = document.querySelector('.composer .stop');
    if (stop) { stop.click(); e.preventDefault(); }
  } else if ((e.ctrlKey || e.metaKey) && e.shiftKey && e.key.toLowerCase() === 'o') {
    document.querySelector('.conversations .new-chat')?.click();
    e.preventDefault();
  } else if (e.key === '/' && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) {
    document.getElementById('composer-input')?.focus();
    e.preventDefault();
  }
});

// Copy buttons of code blocks (rendered into message HTML, so one listener serves them all). The clipboard API needs
// a secure context; elsewhere (plain http on a LAN address) a selection and execCommand still copy.
document.addEventListener('click', async e => {
  const button = e.target.closest && e.target.closest('.copy-code');
  if (!button) return;
  const code = button.parentElement.querySelector('pre').innerText.replace(/\n$/, '');
  try {
    await navigator.clipboard.writeText(code);
  } catch {
    const area = document.createElement('textarea');
    area.value = code;
    document.body.appendChild(area);
    area.select();
    document.execCommand('copy');
    area.remove();
  }
  button.textContent = 'Copied';
  setTimeout(() => { button.textContent = 'Copy'; }, 1500);
});

// Keep retrying a dropped connection; when the server no longer knows the circuit (it restarted), reload:
// the conversations are in local storage, so nothing is lost.
document.addEventListener('components-reconnect-state-changed', e => {
  if (e.detail && e.detail.state === 'rejected') location.reload();
});
Blazor.start({ circuit: { reconnectionOptions: { maxRetries: 1000, retryIntervalMilliseconds: 2000 } } });
