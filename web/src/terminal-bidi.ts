// A terminal shows what it is sent in the order it came: it does not reorder text for a bidi
// override (U+202E) or an isolate. The browser that draws the player's lines does, so a line typed
// as `echo 'safe <U+202E>echo gnorw'` played back as `echo 'safe wrong ohce'`, and output such as
// `A<U+202E>evil-txt.exe` as `Aexe.txt-live`: the recording showed an auditor text that nobody saw
// on the terminal. Before the player is handed the recording, each explicit bidi control in it (in
// output, input and markers alike) becomes a word joiner (U+2060): like the control, a format
// character that draws nothing, but one that reorders nothing (terminal-cells.ts then takes it out
// with the other zero-width characters, to which the player's emulator gives a cell). The timeline and
// the command list show the controls themselves, as escapes.

/** The explicit bidi controls: marks, embeddings, overrides, isolates and their terminators. */
const BIDI_CONTROL = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
/** The same, as a JSON `\u` escape with an unescaped backslash before it. */
const ESCAPED_BIDI_CONTROL = /(?<!\\)((?:\\\\)*)\\u(?:061[cC]|200[eEfF]|202[a-eA-E]|206[6-9])/g;

/** The asciicast text with every explicit bidi control replaced by a word joiner; still valid JSON lines. */
export function withoutBidiControls(cast: string): string {
  return cast.replace(BIDI_CONTROL, '\u2060').replace(ESCAPED_BIDI_CONTROL, '$1\\u2060');
}
