// Light and dark themes: the system's choice (prefers-color-scheme) unless the reader picked one
// with the toggle, which this browser then remembers.
export type Theme = 'auto' | 'light' | 'dark';

const KEY = 'vigil-console-theme';

export function storedTheme(): Theme {
  const value = window.localStorage.getItem(KEY);
  return value === 'light' || value === 'dark' ? value : 'auto';
}

export function applyTheme(theme: Theme): void {
  if (theme === 'auto') {
    delete document.documentElement.dataset.theme;
    window.localStorage.removeItem(KEY);
  } else {
    document.documentElement.dataset.theme = theme;
    window.localStorage.setItem(KEY, theme);
  }
}

export function nextTheme(theme: Theme): Theme {
  return theme === 'auto' ? 'dark' : theme === 'dark' ? 'light' : 'auto';
}
