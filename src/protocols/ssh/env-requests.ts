// Which environment requests (OpenSSH's SendEnv and SetEnv) a session's start may carry to the
// host. A variable can change what a recorded command runs without a word of the command changing
// (LD_PRELOAD, BASH_ENV, PATH, IFS, GLIBC_TUNABLES, OPENSSL_CONF, HISTFILE, an interpreter's or a
// build tool's options …), and the names that can do so are too many to list: so only names on an
// allow list pass, the locale's and a few others by default, more by the connection's `env_allow`.
// Those that run code for certain (below) are refused even when a connection lists them. A start
// with any other is refused whole (recorded with the names it asked for), never run without them:
// the user sees why, as with every other refusal. Pure.

/** What clients send by default (OpenSSH's `SendEnv LANG LC_*`, Debian's `COLORTERM NO_COLOR`) and git's ssh transport. */
export const DEFAULT_ENV_ALLOW = [
  'LANG',
  'LANGUAGE',
  'LC_*',
  'TZ',
  'COLORTERM',
  'NO_COLOR',
  'GIT_PROTOCOL',
] as const;

/**
 * Variables that make the host's shell run or read code the command does not show: a file it
 * sources (`BASH_ENV` naming a file with `set -H -o history` turns on the history expansion
 * Vigil assumes off on a shell's input), its options (`SHELLOPTS`, `BASHOPTS`), functions that
 * stand in for commands (`BASH_FUNC_scp%%`), prompts that run substitutions, and the dynamic
 * loader's (`LD_PRELOAD`). Also zsh's startup directory (`ZDOTDIR`: zsh reads its `.zshenv` before
 * every command, as bash does BASH_ENV), readline's key bindings (`INPUTRC`: a macro types a line
 * and its newline with no Enter for Vigil to hold), glibc's module paths (`GCONV_PATH`, `LOCPATH`:
 * a shared object loaded by any program that converts characters) and the interpreters' startup
 * options (`PERL5OPT=-Mbase;system(…)`, `NODE_OPTIONS=--require`, `PYTHONSTARTUP`, `RUBYOPT`).
 * sshd runs every command, the sftp subsystem included, through the user's shell, so a host whose
 * AcceptEnv lets one through would run what no rule judged: a start asking for one is refused.
 */
export const SHELL_CODE_ENV = new RegExp(
  `^(?:${[
    'BASH_ENV|ENV|SHELLOPTS|BASHOPTS|PROMPT_COMMAND|PS[0-4]|BASH_FUNC_.*|LD_.*|ZDOTDIR|INPUTRC|GCONV_PATH|LOCPATH',
    'PERL5OPT|PERL5LIB|PERLLIB|PYTHONSTARTUP|PYTHONPATH|PYTHONHOME|NODE_OPTIONS|RUBYOPT|RUBYLIB',
    // Since 7 December: which program a name runs (PATH, CDPATH), where bash finds ~/.bashrc,
    // which it sources for every command sshd runs (HOME), the shell programs start (SHELL), the
    // startup commands of editors, pagers and runtimes, git's (all but GIT_PROTOCOL, which git's
    // own ssh transport sends) and the config directories that name such programs.
    'PATH|CDPATH|HOME|SHELL|VIMINIT|GVIMINIT|EXINIT|MYVIMRC|LESSOPEN|LESSCLOSE|PAGER|MANPAGER|SYSTEMD_PAGER',
    'EDITOR|VISUAL|BROWSER|SUDO_ASKPASS|SSH_ASKPASS|GIT_(?!PROTOCOL$).*|JAVA_TOOL_OPTIONS|_JAVA_OPTIONS',
    'JDK_JAVA_OPTIONS|LUA_INIT.*|LUA_PATH.*|LUA_CPATH.*|PHPRC|PHP_INI_SCAN_DIR|TCLLIBPATH|PERL5DB|NODE_PATH',
    'PYTHONINSPECT|PYTHONWARNINGS|XDG_CONFIG_HOME|XDG_CONFIG_DIRS|XDG_DATA_DIRS',
  ].join('|')})$`,
);

/** An `env_allow` entry as a test of a name: exact, or a prefix when it ends in `*`. */
function allows(pattern: string, name: string): boolean {
  return pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : name === pattern;
}

/** Why a start asking for these variables is refused, or null when every one may pass. */
export function environmentRefusal(names: readonly string[], extra: readonly string[]): string | null {
  const code = names.find((name) => SHELL_CODE_ENV.test(name));
  if (code !== undefined)
    return `the environment variable ${code} makes the host's shell run more than the command shows`;
  const allowed = [...DEFAULT_ENV_ALLOW, ...extra];
  const other = names.find((name) => !allowed.some((pattern) => allows(pattern, name)));
  if (other === undefined) return null;
  return `the environment variable ${other} is not on the connection's env_allow list (it may change what the command runs)`;
}
