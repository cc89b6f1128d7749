// Shell completion scripts generated from the commander tree: every command path with its
// subcommands, its flags (the global ones included) and the values of flags with fixed choices.
import type { Command, Option } from 'commander';

export type Shell = 'bash' | 'zsh' | 'fish';
export const SHELLS: readonly Shell[] = ['bash', 'zsh', 'fish'];

interface Node {
  /** The command's words after the program name, space-separated ('' for the program). */
  path: string;
  subcommands: string[];
  flags: string[];
}

const flagsOf = (options: readonly Option[]) =>
  options.flatMap((o) => [o.long, o.short].filter((f): f is string => f !== undefined));

function nodes(program: Command): Node[] {
  const global = flagsOf(program.options);
  const walk = (command: Command, words: string[]): Node[] => [
    {
      path: words.join(' '),
      subcommands: command.commands.map((c) => c.name()),
      flags: [...new Set([...flagsOf(command.options), ...global, '--help'])],
    },
    ...command.commands.flatMap((c) => walk(c, [...words, c.name()])),
  ];
  return walk(program, []);
}

/** Flags that take a value, and the values of those with fixed choices. */
function valueFlags(program: Command): { takes: string[]; choices: [string, string[]][] } {
  const all: Option[] = [];
  const collectAll = (c: Command) => {
    all.push(...c.options);
    c.commands.forEach(collectAll);
  };
  collectAll(program);
  const withValue = all.filter((o) => o.required || o.optional);
  const choices = new Map<string, string[]>();
  for (const o of withValue)
    if (o.argChoices) for (const flag of flagsOf([o])) choices.set(flag, o.argChoices);
  return { takes: [...new Set(flagsOf(withValue))].sort(), choices: [...choices] };
}

const fn = (name: string) => `_${name.replace(/[^A-Za-z0-9]/g, '_')}`;

function bash(program: Command): string {
  const name = program.name();
  const f = fn(name);
  const { takes, choices } = valueFlags(program);
  const cases = nodes(program)
    .map((n) => `    '${n.path}') subs='${n.subcommands.join(' ')}'; flags='${n.flags.join(' ')}' ;;`)
    .join('\n');
  const choiceCases = choices
    .map(([flag, values]) => `    ${flag}) values='${values.join(' ')}' ;;`)
    .join('\n');
  return `# ${name} completion for bash: source <(${name} completion bash)
${f}_node() {
  subs=''; flags=''
  case "$1" in
${cases}
  esac
}
${f}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  local path='' subs flags values='' word i skip=0
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    if ((skip)); then skip=0; continue; fi
    case " ${takes.join(' ')} " in *" $word "*) skip=1; continue ;; esac
    [[ $word == -* ]] && continue
    ${f}_node "$path"
    case " $subs " in *" $word "*) path="\${path:+$path }$word" ;; esac
  done
  case "$prev" in
${choiceCases}
  esac
  if [[ -n $values ]]; then COMPREPLY=($(compgen -W "$values" -- "$cur")); return; fi
  case " ${takes.join(' ')} " in *" $prev "*) COMPREPLY=($(compgen -f -- "$cur")); return ;; esac
  ${f}_node "$path"
  if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "$flags" -- "$cur"))
  else COMPREPLY=($(compgen -W "$subs" -- "$cur")); fi
}
complete -o default -F ${f} ${name}
`;
}

function zsh(program: Command): string {
  const name = program.name();
  // zsh runs the bash function through its own bash-completion layer (bashcompinit).
  return `#compdef ${name}
# ${name} completion for zsh: source <(${name} completion zsh)
autoload -U +X compinit && compinit -u
autoload -U +X bashcompinit && bashcompinit
${bash(program)}`;
}

function fish(program: Command): string {
  const name = program.name();
  const f = fn(name).slice(1);
  const { takes, choices } = valueFlags(program);
  const cases = nodes(program)
    .map(
      (n) =>
        `    case '${n.path}'\n      set subs ${n.subcommands.join(' ')}\n      set flags ${n.flags.join(' ')}`,
    )
    .join('\n');
  const choiceCases = choices
    .map(([flag, values]) => `      case ${flag}\n        printf '%s\\n' ${values.join(' ')}; return`)
    .join('\n');
  return `# ${name} completion for fish: ${name} completion fish | source
function __${f}_node
  set -g subs; set -g flags
  switch "$argv[1]"
${cases}
  end
end
function __${f}_complete
  set -l words (commandline -opc)
  set -l cur (commandline -ct)
  set -l path ''
  set -l skip 0
  for word in $words[2..-1]
    if test $skip = 1; set skip 0; continue; end
    if contains -- $word ${takes.join(' ')}; set skip 1; continue; end
    if string match -q -- '-*' $word; continue; end
    __${f}_node "$path"
    if contains -- $word $subs
      set path (string trim -- "$path $word")
    end
  end
  if test (count $words) -gt 1
    switch $words[-1]
${choiceCases}
    end
    if contains -- $words[-1] ${takes.join(' ')}; __fish_complete_path $cur; return; end
  end
  __${f}_node "$path"
  if string match -q -- '-*' $cur
    printf '%s\\n' $flags
  else
    printf '%s\\n' $subs
  end
end
complete -c ${name} -f -a '(__${f}_complete)'
`;
}

/** The completion script of `shell` for the tree under `program`. */
export function completionScript(shell: Shell, program: Command): string {
  return { bash, zsh, fish }[shell](program);
}
