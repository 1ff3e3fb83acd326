package main

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// ProcSampler reads a process's resident memory and CPU time from /proc,
// the same figures `ps` and `top` show, without any extra dependency.
type ProcSampler struct {
	pid      int
	lastCPU  time.Duration
	lastWall time.Time
	peakRSS  float64
}

// clockTicks is USER_HZ, the unit of utime and stime in /proc/PID/stat. It
// is 100 on every Linux platform Go supports.
const clockTicks = 100

// NewProcSampler watches pid. pid 0 disables sampling (a remote target).
func NewProcSampler(pid int) *ProcSampler {
	s := &ProcSampler{pid: pid, lastWall: time.Now()}
	if pid > 0 {
		s.lastCPU, _ = cpuTime(pid)
	}
	return s
}

// Sample returns the RSS in MiB and the CPU use since the previous sample in
// percent of one core.
func (s *ProcSampler) Sample() (rssMiB, cpuPct float64) {
	if s.pid <= 0 {
		return 0, 0
	}
	rssMiB, _ = RSSMiB(s.pid)
	if rssMiB > s.peakRSS {
		s.peakRSS = rssMiB
	}
	cpu, err := cpuTime(s.pid)
	now := time.Now()
	if err == nil {
		if wall := now.Sub(s.lastWall); wall > 0 {
			cpuPct = 100 * float64(cpu-s.lastCPU) / float64(wall)
		}
		s.lastCPU, s.lastWall = cpu, now
	}
	return rssMiB, cpuPct
}

// PeakRSS is the largest RSS seen by Sample.
func (s *ProcSampler) PeakRSS() float64 { return s.peakRSS }

// RSSMiB reads VmRSS from /proc/PID/status.
func RSSMiB(pid int) (float64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "VmRSS:") {
			fields := strings.Fields(line)
			if len(fields) >= 2 {
				kb, err := strconv.ParseFloat(fields[1], 64)
				return kb / 1024, err
			}
		}
	}
	return 0, fmt.Errorf("reading RSS of pid %d: no VmRSS line", pid)
}

func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name may contain spaces; the fields after it start at the
	// last ')'.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, fmt.Errorf("reading CPU time of pid %d: malformed stat", pid)
	}
	fields := strings.Fields(s[i+1:])
	// fields[0] is state (field 3); utime and stime are fields 14 and 15.
	if len(fields) < 13 {
		return 0, fmt.Errorf("reading CPU time of pid %d: short stat", pid)
	}
	ut, _ := strconv.ParseInt(fields[11], 10, 64)
	st, _ := strconv.ParseInt(fields[12], 10, 64)
	return time.Duration(ut+st) * time.Second / clockTicks, nil
}

func numCPU() int { return runtime.NumCPU() }
