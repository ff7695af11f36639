// Whether a command's input opens an SFTP session. `sftp -s PATH` runs an sftp server as a plain
// command (an exec, not the sftp subsystem), and a copy of the server under another name would do
// the same: its file operations would pass unread. The sftp server itself is recognised by name
// and relayed as sftp (judged); any other command whose input starts with the client's SFTP INIT
// packet is refused before the byte that completes its header is passed on. Pure: it looks at the
// first five bytes only.

/** uint32 length 5, then SSH_FXP_INIT (1): how every SFTP client's first packet starts. */
const INIT_HEAD = Buffer.from([0, 0, 0, 5, 1]);

export class SftpSniffer {
  #matched = 0;
  #mismatched = false;

  /**
   * Takes the next input bytes; true once they complete the INIT header (that chunk is not to be
   * passed on). Nothing is held back: a protocol whose first bytes are zeros (legacy scp's
   * acknowledgements) must not wait, and a server given a header without its last byte has no
   * packet to act on.
   */
  opensSftp(chunk: Buffer): boolean {
    for (const byte of chunk) {
      if (this.#mismatched || this.#matched === INIT_HEAD.length) break;
      if (byte === INIT_HEAD[this.#matched]) this.#matched++;
      else this.#mismatched = true;
    }
    return this.#matched === INIT_HEAD.length;
  }
}

/** Words with no shell syntax in them: no quotes, `$`, backquotes, `;`, `|`, `&`, `<`, `>` or parentheses. */
const PLAIN_WORD = /^[\w\-./=:,@%+]+$/;

/**
 * Whether a command runs the sftp server and nothing else (`/usr/lib/openssh/sftp-server -l
 * INFO`, as `sftp -s PATH` asks). Its input is then read as SFTP packets, so anything else run
 * around the server (`sftp-server -h; bash`, `sftp-server -d "$(sh)"`) would read lines hidden in
 * those packets (a path holding `\ntouch x\n`; the shell drops the headers' NUL bytes) unjudged:
 * such a command is not the server, and its input is judged as a shell's would be.
 */
export function runsSftpServer(command: string): boolean {
  const words = command.trim().split(/\s+/);
  const program = words[0] ?? '';
  return (
    program.slice(program.lastIndexOf('/') + 1) === 'sftp-server' && words.every((w) => PLAIN_WORD.test(w))
  );
}
