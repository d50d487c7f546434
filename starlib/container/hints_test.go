package container

import "testing"

// TestRunKeywordHints: a mistyped option of run or create gets "did you
// mean", also for the second half of the options (go.starlark.net's own
// hint never looks there), and Docker's spellings of the options get
// berth's name.
func TestRunKeywordHints(t *testing.T) {
	tests := []struct{ call, want string }{
		// Typos, in the second half of the options.
		{`run("i", memroy="64m")`, `run: unexpected keyword argument "memroy" (did you mean memory?)`},
		{`run("i", log_drivr="none")`, `run: unexpected keyword argument "log_drivr" (did you mean log_driver?)`},
		{`run("i", cpuset_cpu="0")`, `run: unexpected keyword argument "cpuset_cpu" (did you mean cpuset_cpus?)`},
		{`run("i", pids_limt=10)`, `run: unexpected keyword argument "pids_limt" (did you mean pids_limit?)`},
		{`run("i", device_read_bp={})`, `run: unexpected keyword argument "device_read_bp" (did you mean device_read_bps?)`},
		{`run("i", lables={})`, `run: unexpected keyword argument "lables" (did you mean labels?)`},
		{`run("i", timout="1s")`, `run: unexpected keyword argument "timout" (did you mean timeout?)`},
		{`create("i", memory_swp="1g")`, `create: unexpected keyword argument "memory_swp" (did you mean memory_swap?)`},
		// And the first half, as before.
		{`run("i", nmae="x")`, `run: unexpected keyword argument "nmae" (did you mean name?)`},
		{`run("i", hostnme="x")`, `run: unexpected keyword argument "hostnme" (did you mean hostname?)`},
		// Docker's spellings.
		{`run("i", net="host")`, `run: unexpected keyword argument "net" (did you mean network, Docker's --net?)`},
		{`run("i", publish=["80"])`, `run: unexpected keyword argument "publish" (did you mean ports, Docker's --publish?)`},
		{`run("i", p=["80"])`, `run: unexpected keyword argument "p" (did you mean ports, Docker's -p?)`},
		{`run("i", log_opt={})`, `run: unexpected keyword argument "log_opt" (did you mean log_opts, Docker's --log-opt?)`},
		{`run("i", volume=["/d"])`, `run: unexpected keyword argument "volume" (did you mean volumes, Docker's --volume?)`},
		{`run("i", v=["/d"])`, `run: unexpected keyword argument "v" (did you mean volumes, Docker's -v?)`},
		{`run("i", e={})`, `run: unexpected keyword argument "e" (did you mean env, Docker's -e?)`},
		{`run("i", w="/")`, `run: unexpected keyword argument "w" (did you mean workdir, Docker's -w?)`},
		{`run("i", u="root")`, `run: unexpected keyword argument "u" (did you mean user, Docker's -u?)`},
		{`run("i", h="web")`, `run: unexpected keyword argument "h" (did you mean hostname, Docker's -h?)`},
		{`run("i", d=True)`, `run: unexpected keyword argument "d" (did you mean detach, Docker's -d?)`},
		{`run("i", m="64m")`, `run: unexpected keyword argument "m" (did you mean memory, Docker's -m?)`},
		{`run("i", net_alias=["a"])`, `run: unexpected keyword argument "net_alias" (did you mean aliases, Docker's --net-alias?)`},
		{`run("i", network_alias=["a"])`, `run: unexpected keyword argument "network_alias" (did you mean aliases, Docker's --network-alias?)`},
		{`run("i", link=["db"])`, `run: unexpected keyword argument "link" (did you mean links, Docker's --link?)`},
		{`run("i", label={})`, `run: unexpected keyword argument "label" (did you mean labels, Docker's --label?)`},
		{`run("i", mount=[])`, `run: unexpected keyword argument "mount" (did you mean mounts, Docker's --mount?)`},
		{`create("i", publish=["80"])`, `create: unexpected keyword argument "publish" (did you mean ports, Docker's --publish?)`},
		// Docker flags berth does not have get no made-up hint.
		{`run("i", restart="always")`, `run: unexpected keyword argument "restart"`},
		{`run("i", privileged=True)`, `run: unexpected keyword argument "privileged"`},
	}
	for _, tt := range tests {
		_, err := parse(t, tt.call)
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s: error %v, want %q", tt.call, err, tt.want)
		}
	}
}
