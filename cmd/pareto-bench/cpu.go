package main

import "fmt"
import "os"
import "path/filepath"
import "strconv"
import "strings"
import "time"

// clockTick is USER_HZ, the unit of /proc/PID/stat's CPU times (100 on
// every Linux this runs on).
const clockTick = 10 * time.Millisecond

// cpuUse is the CPU time (user + system) each side of a saturated run
// used: the app server, PostgreSQL (the postmaster and all its children:
// backends, writers) and this bench process (the load generator, plus the
// bare handler, which runs in it).
type cpuUse struct {
	app, pg, bench time.Duration
}

func (c cpuUse) sub(d cpuUse) cpuUse {
	return cpuUse{app: c.app - d.app, pg: c.pg - d.pg, bench: c.bench - d.bench}
}

// perRequest formats c divided by n requests, in ms of CPU per request.
func (c cpuUse) perRequest(n int) string {
	if n == 0 {
		return "-"
	}
	per := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(n) }
	return fmt.Sprintf("serve %.2f pg %.2f bench %.2f ms", per(c.app), per(c.pg), per(c.bench))
}

// cpuMeter reads cpuUse from /proc.
type cpuMeter struct {
	app     int    // pid of pareto serve
	pgData  string // PostgreSQL's data folder (its postmaster.pid)
	enabled bool
}

func newCPUMeter(appPID int, pgData string) cpuMeter {
	_, err := os.Stat("/proc/self/stat")
	return cpuMeter{app: appPID, pgData: pgData, enabled: err == nil}
}

// read samples the three sides now (zero when /proc is missing).
func (m cpuMeter) read() cpuUse {
	if !m.enabled {
		return cpuUse{}
	}
	var c cpuUse
	c.app, _, _ = procStat(strconv.Itoa(m.app))
	c.bench, _, _ = procStat("self")
	b, err := os.ReadFile(filepath.Join(m.pgData, "postmaster.pid"))
	if err != nil {
		return c
	}
	pm, _, _ := strings.Cut(string(b), "\n")
	c.pg, _, _ = procStat(pm)
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		if e.Name()[0] < '0' || e.Name()[0] > '9' {
			continue
		}
		if t, ppid, ok := procStat(e.Name()); ok && ppid == pm {
			c.pg += t
		}
	}
	return c
}

// procStat reads a process's CPU time (utime + stime) and parent pid.
func procStat(pid string) (time.Duration, string, bool) {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0, "", false
	}
	// The command name (field 2) may hold spaces; the fields after its
	// closing parenthesis are state, ppid, …, utime (14th), stime (15th).
	i := strings.LastIndexByte(string(b), ')')
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, "", false
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	s, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+s) * clockTick, f[1], true
}
