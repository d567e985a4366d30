import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { discoverPlaybook } from '../discover.js';
import { err, out } from '../output.js';

/** What the scripts complete, read from the commander tree so a new command or flag is never missed. */
interface CommandShape {
  name: string;
  description: string;
  flags: string[];
  /** Subcommand names, or the first argument's choices (completion bash|zsh|fish). */
  words: string[];
}

const FILE_FLAGS = ['-p', '--playbook', '-o', '--output', '--approvals', '--evidence-dir', '--metrics-file', '--from', '--write', '--playbooks', '--token-file', '--tls-cert', '--tls-key'];

function shapeOf(program: Command): { commands: CommandShape[]; choices: Record<string, string[]> } {
  const choices: Record<string, string[]> = {};
  const visible = (c: Command) => !(c as unknown as { _hidden?: boolean })._hidden;
  const commands = program.commands.filter(visible).map((command) => {
    for (const option of command.options) if (option.argChoices && option.long) choices[option.long] = option.argChoices;
    const argument = command.registeredArguments[0];
    return {
      name: command.name(),
      description: command.description(),
      flags: [...command.options.flatMap((o) => [o.short, o.long].filter((f): f is string => Boolean(f))), '--help'],
      words: command.commands.length ? command.commands.filter(visible).map((c) => c.name()) : argument?.argChoices ?? [],
    };
  });
  return { commands, choices };
}

function bashScript(program: Command): string {
  const { commands, choices } = shapeOf(program);
  const cases = commands.map((c) => `    ${c.name}) flags=${JSON.stringify(c.flags.join(' '))}; words=${JSON.stringify(c.words.join(' '))} ;;`).join('\n');
  const choiceCases = Object.entries(choices).map(([flag, list]) => `    ${flag}) COMPREPLY=( $(compgen -W ${JSON.stringify(list.join(' '))} -- "$cur") ); return ;;`).join('\n');
  return `# rollout completion for bash. Load it with: source <(rollout completion bash)
_rollout() {
  local cur prev cmd playbook flags words i
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  cmd=""
  playbook=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in
      -p|--playbook) playbook="\${COMP_WORDS[i+1]}"; i=$((i + 1)) ;;
      -*) ;;
      *) [[ -z "$cmd" ]] && cmd="\${COMP_WORDS[i]}" ;;
    esac
  done
  case "$prev" in
    --env) COMPREPLY=( $(compgen -W "$(rollout __complete envs \${playbook:+-p "$playbook"} 2>/dev/null)" -- "$cur") ); return ;;
    ${FILE_FLAGS.join('|')}) COMPREPLY=( $(compgen -f -- "$cur") ); return ;;
${choiceCases}
  esac
  if [[ -z "$cmd" ]]; then
    COMPREPLY=( $(compgen -W ${JSON.stringify([...commands.map((c) => c.name), '--help', '--version'].join(' '))} -- "$cur") )
    return
  fi
  flags=""; words=""
  case "$cmd" in
${cases}
  esac
  if [[ "$cmd" == checks && "$cur" != -* ]]; then words="$(rollout __complete kinds 2>/dev/null)"; fi
  if [[ "$cur" == -* ]]; then
    COMPREPLY=( $(compgen -W "$flags" -- "$cur") )
  else
    COMPREPLY=( $(compgen -W "$words" -- "$cur") )
  fi
}
complete -o default -F _rollout rollout
`;
}

function zshScript(program: Command): string {
  // zsh runs the bash function through bashcompinit: one completion logic, two shells.
  return `#compdef rollout
# rollout completion for zsh. Load it with: source <(rollout completion zsh)
autoload -U +X compinit && compinit
autoload -U +X bashcompinit && bashcompinit
${bashScript(program)}`;
}

function fishScript(program: Command): string {
  const { commands, choices } = shapeOf(program);
  const quote = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const lines = ['# rollout completion for fish. Load it with: rollout completion fish | source', 'complete -c rollout -f'];
  for (const c of commands) lines.push(`complete -c rollout -n __fish_use_subcommand -a ${c.name} -d ${quote(c.description.slice(0, 80))}`);
  for (const c of commands) {
    const seen = `'__fish_seen_subcommand_from ${c.name}'`;
    for (const flag of c.flags.filter((f) => f.startsWith('--'))) {
      const name = flag.slice(2);
      if (name === 'env') lines.push(`complete -c rollout -n ${seen} -l env -x -a '(rollout __complete envs 2>/dev/null)'`);
      else if (choices[flag]) lines.push(`complete -c rollout -n ${seen} -l ${name} -x -a ${quote(choices[flag]!.join(' '))}`);
      else if (FILE_FLAGS.includes(flag)) lines.push(`complete -c rollout -n ${seen} -l ${name} -r -F`);
      else lines.push(`complete -c rollout -n ${seen} -l ${name}`);
    }
    if (c.words.length) lines.push(`complete -c rollout -n ${seen} -a ${quote(c.words.join(' '))}`);
  }
  lines.push(`complete -c rollout -n '__fish_seen_subcommand_from checks' -a '(rollout __complete kinds 2>/dev/null)'`);
  return `${lines.join('\n')}\n`;
}

export async function completionCommand(shell: string, program: Command): Promise<number> {
  const scripts: Record<string, (p: Command) => string> = { bash: bashScript, zsh: zshScript, fish: fishScript };
  const make = scripts[shell];
  if (!make) {
    err(`completion ${shell}: expected bash, zsh or fish\n`);
    return 2;
  }
  out(make(program));
  return 0;
}

/** Words for the completion scripts; silent on any problem (a half-typed playbook must not spam the prompt). */
export async function completeWordsCommand(what: string, opts: { playbook?: string }): Promise<number> {
  if (what === 'kinds') {
    const { registry } = await import('../../../checks/index.js');
    out(`${Object.keys(registry.kinds).sort().join('\n')}\n`);
    return 0;
  }
  if (what === 'envs') {
    try {
      const { parse } = await import('yaml');
      const doc = parse(readFileSync(opts.playbook ?? discoverPlaybook().file, 'utf8')) as { environments?: Record<string, unknown> } | null;
      const envs = Object.keys(doc?.environments ?? {});
      if (envs.length) out(`${envs.join('\n')}\n`);
    } catch {
      // No playbook here, or not YAML yet: no suggestions.
    }
    return 0;
  }
  return 0;
}
