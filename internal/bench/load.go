// Package bench drives HTTP load against a running Pareto (open loop at a
// set arrival rate, or closed loop to saturation) and summarises
// latencies, for `make bench` and `make bench-scale`.
package bench

import "context"
import "fmt"
import "io"
import "net/http"
import "os"
import "slices"
import "strings"
import "sync"
import "sync/atomic"
import "time"

// Request is one request a scenario sends; Do is called with a worker's
// client and returns the status.
type Request func(ctx context.Context, c *http.Client) (int, error)

// Scenario is a named stream of requests.
type Scenario struct {
	Name string
	// Next returns the i-th request (vary accounts, users, tenants).
	Next func(i int) Request
	// OK says whether a status counts as success (default: 2xx/3xx).
	OK func(status int) bool
}

// Result summarises one scenario run.
type Result struct {
	Name       string
	Sent       int
	Errors     int
	P50, P99   time.Duration
	Max        time.Duration
	Throughput float64 // completed requests per second
	Duration   time.Duration
}

// Run sends requests at a constant arrival rate (open loop: the schedule
// does not wait for responses) for d, with at most workers in flight.
// Latency is measured from each request's scheduled time, so a stalled
// server shows up as queueing delay rather than hiding it (no
// coordinated omission).
func Run(ctx context.Context, s Scenario, client *http.Client, rate float64, d time.Duration, workers int) Result {
	type job struct {
		i   int
		due time.Time
	}
	jobs := make(chan job, int(rate*d.Seconds())+1)
	var mu sync.Mutex
	var lat []time.Duration
	errs := 0
	ok := s.OK
	if ok == nil {
		ok = func(st int) bool { return st >= 200 && st < 400 }
	}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for j := range jobs {
				st, err := s.Next(j.i)(ctx, client)
				took := time.Since(j.due)
				mu.Lock()
				lat = append(lat, took)
				if err != nil || !ok(st) {
					errs++
				}
				mu.Unlock()
			}
		})
	}
	start := time.Now()
	interval := time.Duration(float64(time.Second) / rate)
	n := int(rate * d.Seconds())
	for i := range n {
		due := start.Add(time.Duration(i) * interval)
		if w := time.Until(due); w > 0 {
			select {
			case <-time.After(w):
			case <-ctx.Done():
			}
		}
		if ctx.Err() != nil {
			break
		}
		jobs <- job{i: i, due: due}
	}
	close(jobs)
	wg.Wait()
	return summarise(s.Name, lat, errs, time.Since(start))
}

// Get returns a Request for a GET with the given session cookie.
func Get(url, cookie string) Request {
	return func(ctx context.Context, c *http.Client) (int, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return 0, err
		}
		if cookie != "" {
			req.Header.Set("Cookie", cookie)
		}
		return send(c, req)
	}
}

// PostForm returns a Request that posts an encoded form.
func PostForm(url, cookie, form string) Request {
	return func(ctx context.Context, c *http.Client) (int, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(form))
		if err != nil {
			return 0, err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if cookie != "" {
			req.Header.Set("Cookie", cookie)
		}
		return send(c, req)
	}
}

func send(c *http.Client, req *http.Request) (int, error) {
	res, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode, nil
}

// Client is an HTTP client for load: no redirects followed, keep-alive.
func Client(workers int) *http.Client {
	return &http.Client{
		Timeout: 10 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: workers * 2, MaxConnsPerHost: workers * 2,
			DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Table formats results with budgets (0 = none) as a fixed-width table.
func Table(results []Result, budgets map[string]time.Duration) string {
	out := fmt.Sprintf("%-26s %8s %8s %8s %8s %9s %7s  %s\n", "scenario", "requests", "p50", "p99", "max", "req/s", "errors", "budget (p99)")
	for _, r := range results {
		b := ""
		if lim, ok := budgets[r.Name]; ok {
			verdict := "PASS"
			if r.P99 > lim || r.Errors > 0 {
				verdict = "FAIL"
			}
			b = fmt.Sprintf("≤ %v %s", lim, verdict)
		}
		out += fmt.Sprintf("%-26s %8d %8s %8s %8s %9.1f %7d  %s\n", r.Name, r.Sent, ms(r.P50), ms(r.P99), ms(r.Max), r.Throughput, r.Errors, b)
	}
	return out
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }

// Saturate is a closed loop: clients workers each send the next request as
// soon as the previous one answered, for d, like `wrk -c clients`. It
// measures the throughput a server sustains (and the latency at that
// throughput); Run measures latency at a set arrival rate.
func Saturate(ctx context.Context, s Scenario, client *http.Client, clients int, d time.Duration) Result {
	ok := s.OK
	if ok == nil {
		ok = func(st int) bool { return st >= 200 && st < 400 }
	}
	var mu sync.Mutex
	var lat []time.Duration
	errs := 0
	var next atomic.Int64
	deadline := time.Now().Add(d)
	start := time.Now()
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			for ctx.Err() == nil && time.Now().Before(deadline) {
				i := int(next.Add(1) - 1)
				t0 := time.Now()
				st, err := s.Next(i)(ctx, client)
				took := time.Since(t0)
				mu.Lock()
				lat = append(lat, took)
				if err != nil || !ok(st) {
					errs++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return summarise(s.Name, lat, errs, time.Since(start))
}

// summarise turns latencies into a Result.
func summarise(name string, lat []time.Duration, errs int, elapsed time.Duration) Result {
	r := Result{Name: name, Sent: len(lat), Errors: errs, Duration: elapsed}
	if len(lat) > 0 {
		slices.Sort(lat)
		r.P50 = lat[len(lat)*50/100]
		r.P99 = lat[min(len(lat)-1, len(lat)*99/100)]
		r.Max = lat[len(lat)-1]
		r.Throughput = float64(len(lat)) / elapsed.Seconds()
	}
	return r
}

// Median is the middle of xs (the mean of the two middle values when
// even); 0 when empty.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// LoadAverage is the machine's 1, 5 and 15 minute load averages as
// /proc/loadavg shows them ("?" where it cannot be read).
func LoadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
