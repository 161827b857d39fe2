// `steward completion bash`: a bash completion script made from the CLI's own commands and
// options, so it never lags them. Workflow IDs come from `steward list -q` when completing.
import type { Command } from 'commander';
import { OPERATOR_DECISIONS } from '../workflows/api';

/** The StewardOperation values the workflows announce (`steward list --operation`). */
export const OPERATION_NAMES = [
  'drain',
  'uncordon',
  'k8s-upgrade',
  'k8s-upgrade-node',
  'reinstall',
  'rook-upgrade',
  'netbox-reconcile',
  'evict',
  'evict-watch',
];

/** Commands whose first argument is a workflow ID. */
const TAKES_AN_ID = ['status', 'watch', 'decide'];

const flags = (command: Command) => [
  ...command.options.map((o) => o.long ?? o.short ?? ''),
  '--help',
];

/** What may follow each command line prefix ("", "schedule", "schedule pause"). */
function completions(program: Command): [string, string[]][] {
  const entries: [string, string[]][] = [['', program.commands.map((c) => c.name())]];
  for (const command of program.commands) {
    entries.push([command.name(), [...command.commands.map((c) => c.name()), ...flags(command)]]);
    for (const sub of command.commands)
      entries.push([`${command.name()} ${sub.name()}`, flags(sub)]);
  }
  return entries;
}

export function bashCompletion(program: Command): string {
  const cases = completions(program)
    .map(([prefix, words]) => `    "${prefix}") echo "${words.join(' ')}" ;;`)
    .join('\n');
  return `# bash completion for steward: source <(steward completion bash)
_steward_words() {
  case "$1" in
${cases}
  esac
}

_steward() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]} key=""
  if (( COMP_CWORD > 1 )); then key=\${COMP_WORDS[1]}; fi
  if (( COMP_CWORD > 2 )) && [[ -n $(_steward_words "$key \${COMP_WORDS[2]}") ]]; then
    key="$key \${COMP_WORDS[2]}"
  fi
  case "$prev" in
    --operation) COMPREPLY=($(compgen -W "${OPERATION_NAMES.join(' ')}" -- "$cur")); return ;;
  esac
  if [[ " ${TAKES_AN_ID.join(' ')} " == *" $key "* && $cur != -* ]]; then
    if (( COMP_CWORD == 2 )); then
      COMPREPLY=($(compgen -W "$(steward list -q 2>/dev/null)" -- "$cur")); return
    fi
    if [[ $key == decide ]] && (( COMP_CWORD == 3 )); then
      COMPREPLY=($(compgen -W "${OPERATOR_DECISIONS.join(' ')}" -- "$cur")); return
    fi
  fi
  COMPREPLY=($(compgen -W "$(_steward_words "$key")" -- "$cur"))
}
complete -F _steward steward
`;
}
