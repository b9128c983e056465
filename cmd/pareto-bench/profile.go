package main

import "context"
import "fmt"
import "io"
import "net/http"
import "os"
import "path/filepath"
import "sync"
import "time"

// saveProfiles fetches the server's CPU profile and its allocations
// (a delta profile) over the same window, a little shorter than one
// saturated run d, from its pprof address, and writes them to
// dir/cpu-<size>.pprof and dir/allocs-<size>.pprof, then the live heap
// to dir/heap-<size>.pprof.
func saveProfiles(ctx context.Context, pprofAddr, dir string, size int, d time.Duration) error {
	secs := max(1, int((d - 2*time.Second).Seconds()))
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, name := range []string{"cpu", "allocs"} {
		u := fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", pprofAddr, secs)
		if name == "allocs" {
			u = fmt.Sprintf("http://%s/debug/pprof/allocs?seconds=%d", pprofAddr, secs)
		}
		file := filepath.Join(dir, fmt.Sprintf("%s-%d.pprof", name, size))
		wg.Go(func() { errs[i] = saveURL(ctx, u, file) })
	}
	wg.Wait()
	// The heap live after the run's last collection, for the server's
	// memory budget.
	errs = append(errs, saveURL(ctx, "http://"+pprofAddr+"/debug/pprof/heap?gc=1", filepath.Join(dir, fmt.Sprintf("heap-%d.pprof", size))))
	for _, err := range errs {
		if err != nil {
			return fmt.Errorf("profile: %w", err)
		}
	}
	progress("scale %d: profiles written to %s", size, dir)
	return nil
}

// saveURL GETs u and writes its body to file.
func saveURL(ctx context.Context, u, file string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", u, res.Status)
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, res.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
