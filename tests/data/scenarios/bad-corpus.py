#!/usr/bin/env python3
# bad-corpus.py: writes tests/data/scenarios/bad/NAME.ini and NAME.expected
# (the exact message tests/test_scenario.c wants; @ROOT@ = repository root).
# The files in bad/ are what the test reads; this script is how they were made,
# kept for the binary ones. Edit a case here, rerun, and review the diff.
import os
B = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bad")
R = "@ROOT@/tests/data/scenarios"
DF = "dockerfile = ../dockerfiles/single.Dockerfile\n"
HEAD = "[scenario]\nname = tiny\nrepo = ../good\ncommits = HEAD~3..HEAD\n"
VAR = "\n[variant single]\n" + DF
WORLDHEAD = "[scenario]\nname = tiny\ncommits = last:3\n"
cases = {}
def case(name, text, *msgs):
    cases[name] = (text, msgs)

case("unknown-key", "[scenario]\nname = tiny\nrepo = ../good\ncolour = blue\ncommits = HEAD~3..HEAD\n" + VAR,
     "4: unknown key 'colour' in [scenario] (known: name, repo, commits, context, repetitions, timeout, network, build_args, secret, engines, allow_outside)")
case("unknown-variant-key", HEAD + VAR + "platform = linux/arm64\n",
     "8: unknown key 'platform' in [variant single] (known: dockerfile, dockerignore, cache, cache_mode, runner, target, push, push_mode, cache_key, cache_compression, builder, cache_scope, cache_mounts)")
case("unknown-section", HEAD + VAR + "\n[colours]\nred = 1\n",
     "9: unknown section [colours] (known: [scenario], [variant NAME], [world], [registry], [gate], [verdict])")
case("duplicate-key", "[scenario]\nname = tiny\nname = small\nrepo = ../good\ncommits = HEAD~3..HEAD\n" + VAR,
     "3: duplicate key 'name' in [scenario] (first set at line 2); keep only one")
case("duplicate-variant", HEAD + VAR + "\n[variant single]\n" + DF,
     "9: duplicate variant 'single' (first defined at line 6); give each variant its own name")
case("duplicate-section", HEAD + VAR + "[scenario]\nname = again\n",
     "8: duplicate section [scenario] (first at line 1); merge them into one")
case("bad-duration", HEAD + "timeout = 30 minutes\n" + VAR,
     "5: invalid duration '30 minutes' for 'timeout' (examples: 90s, 30m, 1h30m)")
case("zero-timeout", HEAD + "timeout = 0s\n" + VAR,
     "5: 'timeout' must be greater than zero (got '0s')")
case("bad-latency", WORLDHEAD + VAR + "[world]\nkind = cafeboo\nlatency = soon\n",
     "9: invalid duration 'soon' for 'latency' (examples: 40ms, 0.5s, 0)")
case("bad-size", WORLDHEAD + VAR + "[world]\nkind = cafeboo\ncache_bandwidth = lots\n",
     "9: invalid size 'lots' for 'cache_bandwidth' (examples: 20MB/s, 1.5MiB/s, 500k/s)")
case("bad-bandwidth", WORLDHEAD + VAR + "[world]\nkind = cafeboo\nbandwidth = 0MB/s\nregistry_bandwidth = 5 parsecs\n",
     "9: 'bandwidth' must be greater than zero (got '0MB/s')",
     "10: invalid size '5 parsecs' for 'registry_bandwidth' (examples: 20MB/s, 1.5MiB/s, 500k/s)")
case("bad-bool", HEAD + VAR + "push = maybe\n",
     "8: invalid boolean 'maybe' for 'push' (use yes or no)")
case("bad-gate", HEAD + VAR + "[gate]\nabsolute = sometimes\nwarm_median_growth = lots\nimage_growth = 5 %\n",
     "9: invalid boolean 'sometimes' for 'absolute' (use yes or no)",
     "10: invalid value 'lots' for 'warm_median_growth' (use a percentage like 15% or a fraction like 0.15)",
     "11: invalid value '5 %' for 'image_growth' (use a percentage like 15% or a fraction like 0.15)")
case("bad-cache", HEAD + VAR + "cache = remote\ncache_mode = most\n",
     "8: invalid cache 'remote' (use none, local, registry, gha or inline)",
     "9: invalid cache_mode 'most' (use max or min)")
case("bad-runner", HEAD + VAR + "runner = hosted\n",
     "8: invalid runner 'hosted' (use ephemeral or persistent)")
case("bad-network", HEAD + "network = bridge\n" + VAR,
     "5: invalid network 'bridge' (use host, none or default)")
case("repetitions-zero", HEAD + "repetitions = 0\n" + VAR,
     "5: invalid repetitions '0' (use a whole number from 1 to 100)")
case("repetitions-huge", HEAD + "repetitions = 99999999999999999999999\n" + VAR,
     "5: invalid repetitions '99999999999999999999999' (use a whole number from 1 to 100)")
case("repetitions-text", HEAD + "repetitions = three\n" + VAR,
     "5: invalid repetitions 'three' (use a whole number from 1 to 100)")
case("missing-keys", "; only a name\n[scenario]\nname = tiny\n" + VAR,
     "2: missing required key 'repo' in [scenario]",
     "2: missing required key 'commits' in [scenario]")
case("missing-all", "[scenario]\n\n[variant single]\n" + DF,
     "1: missing required key 'name' in [scenario]",
     "1: missing required key 'repo' in [scenario]",
     "1: missing required key 'commits' in [scenario]")
case("context-escape", HEAD + "context = src/../../etc\n" + VAR,
     "5: context 'src/../../etc' must not leave the repository with '..'; use a folder inside it")
case("context-absolute", HEAD + "context = /etc\n" + VAR,
     "5: context '/etc' must be relative to the repository root, not absolute")
case("repo-path-escape", HEAD + "\n[variant single]\ndockerfile = repo:../Dockerfile\n\n[variant abs]\ndockerfile = repo:/etc/Dockerfile\n",
     "7: dockerfile 'repo:../Dockerfile' must name a relative path inside the commit, without '..' (e.g. repo:docker/app.Dockerfile)",
     "10: dockerfile 'repo:/etc/Dockerfile' must name a relative path inside the commit, without '..' (e.g. repo:docker/app.Dockerfile)")
case("dockerfile-missing", HEAD + "\n[variant single]\ndockerfile = ../dockerfiles/nope.Dockerfile\ndockerignore = ../dockerfiles\n",
     "7: dockerfile '../dockerfiles/nope.Dockerfile' not found (resolved to " + R + "/dockerfiles/nope.Dockerfile)",
     "8: dockerignore '../dockerfiles' is not a regular file (resolved to " + R + "/dockerfiles)")
case("repo-missing", "[scenario]\nname = tiny\nrepo = ../nowhere\ncommits = HEAD~3..HEAD\n" + VAR,
     "3: repo '../nowhere' not found (resolved to " + R + "/nowhere)")
case("repo-not-dir", "[scenario]\nname = tiny\nrepo = ../dockerfiles/single.Dockerfile\ncommits = HEAD~3..HEAD\n" + VAR,
     "3: repo '../dockerfiles/single.Dockerfile' is not a directory (resolved to " + R + "/dockerfiles/single.Dockerfile)")
case("repo-with-world", HEAD + VAR + "\n[world]\nkind = cafeboo\n",
     "3: 'repo' must not be set when a [world] section exists (the world generates the repository); remove it")
case("push-without-world", HEAD + VAR + "push = yes\n",
     "8: push = yes needs a [registry] section with ref = HOST[:PORT]/NAME (your registry) or a [world] section (it provides the registry); set push = no or add one of them")
case("registry-without-world", HEAD + VAR + "cache = registry\n",
     "8: cache = registry needs a [registry] section with ref = HOST[:PORT]/NAME (your registry) or a [world] section (it provides the registry); use cache = local or add one of them")
case("reference-unknown", HEAD + VAR + "\n[variant multi]\ndockerfile = ../dockerfiles/multi.Dockerfile\n\n[gate]\nreference = single-stage\n",
     "13: reference 'single-stage' is not a variant of this scenario (variants: single, multi)")
case("empty", "",
     "1: no [scenario] section; add one with name, repo and commits")
case("comments-only", "; nothing but comments\n\n# and blank lines\n",
     "1: no [scenario] section; add one with name, repo and commits")
case("binary", b"[scenario]\nname = tiny\x00\x01\x02\xff\xfe\nrepo = ../good\n",
     "2: not a text file (found byte 0x00); a scenario must be UTF-8 text")
case("bad-utf8", b"[scenario]\nname = tiny\nrepo = ../good\ncommits = HEAD\n; caf\xe9 latin-1\n",
     "5: not a text file (found byte 0xe9); a scenario must be UTF-8 text")
case("key-outside", "colour = blue\n" + HEAD + VAR,
     "1: key 'colour' is outside any section; put it under [scenario] or another section")
case("overlong", HEAD + "build_args = " + " ".join("ARG%02d=value%02d" % (i, i) for i in range(16)) + "\n" + VAR,
     "5: line is too long (236 characters, at most 197); shorten it")
case("bad-variant-name", HEAD + VAR + "\n[variant my variant]\n" + DF + "\n[variant ..]\n" + DF + "\n[variant]\n" + DF,
     "9: invalid variant name 'my variant' (use letters, digits, '.', '_' and '-')",
     "12: invalid variant name '..' (use letters, digits, '.', '_' and '-')",
     "15: [variant] needs a name, e.g. [variant single-stage]")
case("bad-build-args", HEAD + "build_args = FOO=1 2BAR=x NOVALUE FOO=2\n" + VAR,
     "5: invalid build_args entry '2BAR=x' (use KEY=VALUE, KEY made of letters, digits and '_', not starting with a digit)",
     "5: invalid build_args entry 'NOVALUE' (use KEY=VALUE, KEY made of letters, digits and '_', not starting with a digit)",
     "5: build arg 'FOO' is given twice in build_args; keep one")
case("secret-missing-src", HEAD + "secret = id=token,src=nope.txt\n" + VAR,
     "5: secret 'token': src 'nope.txt' not found (resolved to " + R + "/bad/nope.txt)")
case("secret-malformed", HEAD + "secret = token\nsecret = id=a,src=../secrets/token.txt,env=A\nsecret = src=../secrets/token.txt\nsecret = id=b,env=1BAD\nsecret = id=c,file=x\nsecret = id=ok,env=OK\nsecret = id=ok,env=OK2\n" + VAR,
     "5: invalid secret 'token': each field is NAME=VALUE (use id=ID,src=FILE or id=ID,env=VARNAME)",
     "6: invalid secret 'id=a,src=../secrets/token.txt,env=A': give exactly one of src and env (use id=ID,src=FILE or id=ID,env=VARNAME)",
     "7: invalid secret 'src=../secrets/token.txt': id is missing (use id=ID,src=FILE or id=ID,env=VARNAME)",
     "8: invalid secret 'id=b,env=1BAD': env must name an environment variable (use id=ID,src=FILE or id=ID,env=VARNAME)",
     "9: invalid secret 'id=c,file=x': unknown field (use id=ID,src=FILE or id=ID,env=VARNAME)",
     "11: duplicate secret id 'ok' (first at line 10); give each secret its own id")
case("world-kind", WORLDHEAD + VAR + "\n[world]\nkind = metaverse\n",
     "9: unknown world kind 'metaverse' (known: cafeboo)")
case("world-missing-kind", WORLDHEAD + VAR + "\n[world]\nscale = 0.1\n",
     "8: missing required key 'kind' in [world]")
case("scale-range", WORLDHEAD + VAR + "\n[world]\nkind = cafeboo\nscale = 5\n[gate]\n",
     "10: invalid scale '5' (use a number greater than 0 and at most 4, e.g. 0.05)")
case("scale-zero", WORLDHEAD + VAR + "\n[world]\nkind = cafeboo\nscale = 0\nseed = -1\nbase_image = bench/python 3.12\n",
     "10: invalid scale '0' (use a number greater than 0 and at most 4, e.g. 0.05)",
     "11: invalid seed '-1' (use a whole number from 0 to 4294967295)",
     "12: invalid base_image 'bench/python 3.12' (an image reference without spaces)")
case("empty-value", "[scenario]\nname =\nrepo = ../good\ncommits = HEAD~3..HEAD ; the last three\ncontext = ; nothing\n" + VAR,
     "2: empty value for 'name' in [scenario]; give a value or remove the line",
     "5: empty value for 'context' in [scenario]; give a value or remove the line")
case("section-unclosed", HEAD + "\n[variant single\n" + DF + "[gate] extra\n",
     "6: section header '[variant single' has no closing ']'",
     "8: unexpected text 'extra' after section header; put it on its own line or start it with ';'")
case("continuation", HEAD + "build_args = A=1\n    B=2\n\n[variant single]\n  " + DF + "  cache = local\n    local\n",
     "6: indented line continues the value of 'build_args'; multi-line values are not supported, put the value on one line",
     "11: indented line continues the value of 'cache'; multi-line values are not supported, put the value on one line")
case("syntax", HEAD + "just some words\n= value\n" + VAR,
     "5: expected 'key = value' or '[section]', got 'just some words'",
     "6: missing key name before '=' in [scenario]")
case("no-variant", HEAD,
     "1: no [variant NAME] section; add at least one, e.g. [variant single-stage] with a dockerfile")
case("variant-missing-dockerfile", HEAD + "\n[variant single]\ncache = local\n",
     "6: missing required key 'dockerfile' in [variant single]")
case("bad-commits", "[scenario]\nname = tiny\nrepo = ../good\ncommits = last:0\n" + VAR + "[scenario]\n",
     "4: invalid commits 'last:0' (use A..B, a space-separated list of commits, last:N with N >= 1, or sample:N A..B or sample:N last:M with N >= 2 and N <= M)",
     "8: duplicate section [scenario] (first at line 1); merge them into one")
case("bad-commits-range", "[scenario]\nname = tiny\nrepo = ../good\ncommits = v1..v2..v3\n" + VAR,
     "4: invalid commits 'v1..v2..v3' (use A..B, a space-separated list of commits, last:N with N >= 1, or sample:N A..B or sample:N last:M with N >= 2 and N <= M)")
case("bad-commits-option", "[scenario]\nname = tiny\nrepo = ../good\ncommits = HEAD --all\n" + VAR,
     "4: invalid commits 'HEAD --all' (use A..B, a space-separated list of commits, last:N with N >= 1, or sample:N A..B or sample:N last:M with N >= 2 and N <= M)")
case("bad-name", "[scenario]\nname = my bench/1\nrepo = ../good\ncommits = HEAD\n" + VAR,
     "2: invalid name 'my bench/1' (use letters, digits, '.', '_' and '-'; it names the results folder)")
case("several-errors",
     "; several problems in one file, all reported in line order\n"
     "[scenario]\n"
     "name = tiny\n"
     "repetitions = 0\n"
     "timeout = forever\n"
     "colour = blue\n"
     "\n"
     "[variant a]\n"
     "dockerfile = ../dockerfiles/none.Dockerfile\n"
     "runner = hosted\n"
     "push = yes\n"
     "\n"
     "[variant a]\n"
     "cache = local\n"
     "[gate]\n"
     "reference = b\n",
     "2: missing required key 'repo' in [scenario]",
     "2: missing required key 'commits' in [scenario]",
     "4: invalid repetitions '0' (use a whole number from 1 to 100)",
     "5: invalid duration 'forever' for 'timeout' (examples: 90s, 30m, 1h30m)",
     "6: unknown key 'colour' in [scenario] (known: name, repo, commits, context, repetitions, timeout, network, build_args, secret, engines, allow_outside)",
     "9: dockerfile '../dockerfiles/none.Dockerfile' not found (resolved to " + R + "/dockerfiles/none.Dockerfile)",
     "10: invalid runner 'hosted' (use ephemeral or persistent)",
     "11: push = yes needs a [registry] section with ref = HOST[:PORT]/NAME (your registry) or a [world] section (it provides the registry); set push = no or add one of them",
     "13: duplicate variant 'a' (first defined at line 8); give each variant its own name",
     "16: reference 'b' is not a variant of this scenario (variants: a)")

# ---- the keys added with the key table ----
NEWC = "(use A..B, a space-separated list of commits, last:N with N >= 1, or sample:N A..B or sample:N last:M with N >= 2 and N <= M)"
case("did-you-mean", "[scenario]\nname = tiny\nrepo = ../good\ncomits = HEAD~3..HEAD\npush = yes\n" + VAR + "cahce = local\n",
     "1: missing required key 'commits' in [scenario]",
     "4: unknown key 'comits' in [scenario]; did you mean 'commits'? (known: name, repo, commits, context, repetitions, timeout, network, build_args, secret, engines, allow_outside)",
     "5: unknown key 'push' in [scenario]; it is a key of [variant NAME] (known: name, repo, commits, context, repetitions, timeout, network, build_args, secret, engines, allow_outside)",
     "9: unknown key 'cahce' in [variant single]; did you mean 'cache'? (known: dockerfile, dockerignore, cache, cache_mode, runner, target, push, push_mode, cache_key, cache_compression, builder, cache_scope, cache_mounts)")
case("section-typo", HEAD + VAR + "\n[varaint multi]\n" + DF + "[Gate]\n[colours]\n",
     "9: unknown section [varaint multi]; did you mean [variant multi]? (known: [scenario], [variant NAME], [world], [registry], [gate], [verdict])",
     "11: unknown section [Gate]; did you mean [gate]? (known: [scenario], [variant NAME], [world], [registry], [gate], [verdict])",
     "12: unknown section [colours] (known: [scenario], [variant NAME], [world], [registry], [gate], [verdict])")
ENGINES = "use a docker context name, unix:///PATH, tcp://HOST:PORT or ssh://USER@HOST"
case("bad-engines", HEAD + "engines = default -remote tcp://host unix://run/docker.sock ssh://@host tcp://h:99999 default\n" + VAR,
     "5: invalid engines entry '-remote' (" + ENGINES + ")",
     "5: invalid engines entry 'tcp://host' (" + ENGINES + ")",
     "5: invalid engines entry 'unix://run/docker.sock' (" + ENGINES + ")",
     "5: invalid engines entry 'ssh://@host' (" + ENGINES + ")",
     "5: invalid engines entry 'tcp://h:99999' (" + ENGINES + ")",
     "5: 'default' is given twice in engines; keep one")
case("bad-commits-sample", "[scenario]\nname = tiny\nrepo = ../good\ncommits = sample:6 last:5\n" + VAR,
     "4: invalid commits 'sample:6 last:5' " + NEWC)
case("bad-builder", HEAD + VAR + "builder = kaniko\n",
     "8: unknown builder 'kaniko' (known: buildkit, buildah)")
# (cache = gha without [world] is the runner's service: the run checks its environment)
case("gha-without-world", HEAD + VAR + "cache = gha\n\n[variant inline]\n" + DF + "cache = inline\n",
     "12: cache = inline needs a [registry] section with ref = HOST[:PORT]/NAME (your registry) or a [world] section (it provides the registry the image and its cache are pushed to); use cache = local or add one of them")
case("registry-without-ref", HEAD + VAR + "cache = registry\n\n[registry]\ninsecure = yes\n",
     "10: missing required key 'ref' in [registry] (the repository images and caches go to: HOST[:PORT]/NAME)")
case("registry-bad-ref", HEAD + VAR + "push = yes\n\n[registry]\nref = team/app:latest\n",
     "11: invalid ref 'team/app:latest' (use HOST[:PORT]/NAME, e.g. registry.example.com:5000/team/app, without a tag)")
case("registry-and-world", WORLDHEAD + VAR + "[world]\nkind = cafeboo\n\n[registry]\nref = localhost:5000/app\n",
     "10: [registry] and [world] cannot both be set (the world has a registry of its own); remove one of them")
case("inline-cache-mode", WORLDHEAD + VAR + "cache = inline\ncache_mode = max\npush = yes\n[world]\nkind = cafeboo\n",
     "8: cache = inline supports only cache_mode = min (BuildKit's inline cache only embeds min); set cache_mode = min or remove it")
case("inline-without-push", WORLDHEAD + VAR + "cache = inline\n\n[variant inline2]\n" + DF + "cache = inline\npush = no\n[world]\nkind = cafeboo\n",
     "7: cache = inline needs push = yes (the cache travels in the pushed image, and the next build imports it from the registry)",
     "12: cache = inline needs push = yes (the cache travels in the pushed image, and the next build imports it from the registry)")
case("cache-scope-without-gha", WORLDHEAD + VAR + "cache = local\ncache_scope = deps\n\n[variant gha]\n" + DF + "cache = gha\ncache_scope = a,b\n[world]\nkind = cafeboo\n",
     "8: cache_scope needs cache = gha (it names the scope of the GitHub cache); remove it or set cache = gha",
     "13: invalid cache_scope 'a,b' (use letters, digits, '.', '_' and '-')")
MOUNTS = "an absolute path without '..' or ',': the target= of a RUN --mount=type=cache"
case("bad-cache-mounts", HEAD + VAR + "cache_mounts = /root/.cache/pip root/.npm /var/../etc / /a,b /root/.cache/pip\n",
     "8: invalid cache_mounts entry 'root/.npm' (" + MOUNTS + ")",
     "8: invalid cache_mounts entry '/var/../etc' (" + MOUNTS + ")",
     "8: invalid cache_mounts entry '/' (" + MOUNTS + ")",
     "8: invalid cache_mounts entry '/a,b' (" + MOUNTS + ")",
     "8: '/root/.cache/pip' is given twice in cache_mounts; keep one")
case("bad-gha", WORLDHEAD + VAR + "[world]\nkind = cafeboo\nrunner_bandwidth = fast\ngha_quota = 10 parsecs\ngha_rate_limit = 200\ngha_retry_after = soon\n[world]\n",
     "9: invalid size 'fast' for 'runner_bandwidth' (examples: 20MB/s, 1.5MiB/s, 500k/s)",
     "10: invalid size '10 parsecs' for 'gha_quota' (examples: 10GB, 512MB, 1.5GiB)",
     "11: invalid rate '200' for 'gha_rate_limit' (a whole number per minute or second, e.g. 200/min or 10/s; 0 for no limit)",
     "12: invalid duration 'soon' for 'gha_retry_after' (examples: 1s, 500ms, 2s)",
     "13: duplicate section [world] (first at line 7); merge them into one")
case("gha-quota-zero", WORLDHEAD + VAR + "[world]\nkind = cafeboo\ngha_quota = 0GB\ngha_rate_limit = 5/h\ngha_quota = 1GB\n",
     "9: 'gha_quota' must be greater than zero (got '0GB')",
     "10: invalid rate '5/h' for 'gha_rate_limit' (a whole number per minute or second, e.g. 200/min or 10/s; 0 for no limit)",
     "11: duplicate key 'gha_quota' in [world] (first set at line 9); keep only one")
case("absurd-amounts", WORLDHEAD + "timeout = 99999999999999h\n" + VAR + "[world]\nkind = cafeboo\nlatency = 2h\nbandwidth = 1000000GB/s\ngha_quota = 99999999GB\ngha_retry_after = 2h\n",
     "4: 'timeout' must be at most 48h (got '99999999999999h')",
     "10: 'latency' must be at most 60s (got '2h')",
     "11: 'bandwidth' must be at most 100GB/s (got '1000000GB/s')",
     "12: 'gha_quota' must be at most 10000GB (got '99999999GB')",
     "13: 'gha_retry_after' must be at most 1h (got '2h')")
# the long line held the name: "line is too long" alone, not "missing 'name'"
case("long-line-first", "[scenario]\nname = " + "n" * 20000 + "\nrepo = ../good\ncommits = HEAD~3..HEAD\n" + VAR,
     "2: line is too long (20007 characters, at most 197); shorten it")
case("dockerfile-outside", HEAD + "\n[variant passwd]\ndockerfile = ../../../../../../../../../../../../etc/passwd\ndockerignore = /etc/hostname\n",
     "7: dockerfile '/etc/passwd' is outside the scenario's tree @ROOT@; move it there, or set allow_outside = yes in [scenario] to use it",
     "8: dockerignore '/etc/hostname' is outside the scenario's tree @ROOT@; move it there, or set allow_outside = yes in [scenario] to use it")

os.makedirs(B, exist_ok=True)
for name, (text, msgs) in cases.items():
    data = text if isinstance(text, bytes) else text.encode()
    open(os.path.join(B, name + ".ini"), "wb").write(data)
    exp = "\n".join("tests/data/scenarios/bad/%s.ini:%s" % (name, m) for m in msgs) + "\n"
    open(os.path.join(B, name + ".expected"), "w").write(exp)
print(len(cases), "cases")
