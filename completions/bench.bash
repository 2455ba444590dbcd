# bash completion for bench: its commands, each command's options and the
# scenario keys `bench sweep --param` takes. Every list is asked of bench
# itself (bench help --commands, --options CMD, --keys), which prints it from
# the tables the help pages and the scenario parser use: it cannot go stale.
# Installed as share/bash-completion/completions/bench by `make install`;
# or `source completions/bench.bash`.

_bench() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	local bench=${COMP_WORDS[0]} cmd=${COMP_WORDS[1]} words
	COMPREPLY=()
	if ((COMP_CWORD == 1)); then
		words="$("$bench" help --commands 2>/dev/null) --help --version --man"
		mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
		return 0
	fi
	case $prev in
	--param)
		# KEY for every section's key, SECTION.KEY too; then the values
		words=$("$bench" help --keys 2>/dev/null | sed 's/^\(.*\)\.\(.*\)$/\2= \1.\2=/')
		mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
		compopt -o nospace 2>/dev/null
		return 0 ;;
	-f | --format)
		case $cmd in
		report) words="markdown csv json benchmark-action html text" ;;
		compare) words="text markdown html" ;;
		gate) words="text markdown json" ;;
		esac
		mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
		return 0 ;;
	--metric)
		mapfile -t COMPREPLY < <(compgen -W "cached_steps warm_seconds" -- "$cur")
		return 0 ;;
	--options)
		mapfile -t COMPREPLY < <(compgen -W "$("$bench" help --commands 2>/dev/null)" -- "$cur")
		return 0 ;;
	-o | --output | --out | --results | --resume | --work | --baseline | --gate | --summary | --against)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return 0 ;;
	--only | --variant | --reference | --commits | --scale | --engines | --threshold | --max-probes | \
	--warm-over-cold-growth | --warm-median-growth | --image-growth | --cache-growth)
		return 0 ;;
	esac
	if [[ $cur == -* ]]; then
		words=$("$bench" help --options "$cmd" 2>/dev/null)
		[[ $cmd == help ]] && words="$words --commands --options --keys"
		mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
		return 0
	fi
	case $cmd in
	help)
		mapfile -t COMPREPLY < <(compgen -W "$("$bench" help --commands 2>/dev/null)" -- "$cur") ;;
	run | sweep | bisect)
		mapfile -t COMPREPLY < <(compgen -f -X '!*.ini' -- "$cur"; compgen -d -S / -- "$cur")
		compopt -o filenames 2>/dev/null ;;
	*)
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		compopt -o filenames 2>/dev/null ;;
	esac
	return 0
}
complete -F _bench bench ./bench
