//go:build unix

package devserver

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// LockFileName guards the data folder against a second server: two Temporal
// servers on one SQLite file would both claim the history shard.
const LockFileName = "temporal.lock"

// lockDataDir takes an exclusive advisory lock on the data folder. The kernel
// drops it when the process dies, so kill -9 never leaves a stale lock.
func lockDataDir(dir string) (release func(), err error) {
	path := filepath.Join(dir, LockFileName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder, _ := os.ReadFile(path)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("data folder %s is in use by another hookflow or Temporal process (pid %s)",
				dir, strings.TrimSpace(string(holder)))
		}
		return nil, fmt.Errorf("locking data folder %s: %w", dir, err)
	}
	_ = f.Truncate(0)
	_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return func() { f.Close() }, nil
}
