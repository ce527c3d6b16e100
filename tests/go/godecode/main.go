// godecode fetches a /debug/vars body (a URL, or a file) and reads it as Go-based monitors do
// (Metricbeat's golang module, Telegraf): memstats through json.Unmarshal into runtime.MemStats
// with unknown fields refused, cmdline into []string. It prints "ok: ..." and exits 0, or prints
// "FAIL: ..." and exits 1 on the first thing such a monitor would reject.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"reflect"
	"runtime"
	"strings"
	"time"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: godecode URL|FILE")
		os.Exit(2)
	}
	body, err := load(os.Args[1])
	if err != nil {
		fail("read %s: %v", os.Args[1], err)
	}
	var vars map[string]json.RawMessage
	if err := json.Unmarshal(body, &vars); err != nil {
		fail("body is not a JSON object: %v", err)
	}
	if raw, ok := vars["cmdline"]; ok {
		var cmdline []string
		if err := json.Unmarshal(raw, &cmdline); err != nil {
			fail("cmdline: %v", err)
		}
	}
	raw, ok := vars["memstats"]
	if !ok {
		fail("no memstats variable")
	}
	stats := decodeStrict(raw)
	checkOrder(raw)
	checkLengths(raw)
	fmt.Printf("ok: runtime.MemStats Alloc=%d NumGC=%d PauseTotalNs=%d\n",
		stats.Alloc, stats.NumGC, stats.PauseTotalNs)
}

func decodeStrict(raw json.RawMessage) runtime.MemStats {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var stats runtime.MemStats
	if err := dec.Decode(&stats); err != nil {
		fail("memstats does not decode into runtime.MemStats: %v", err)
	}
	return stats
}

// checkOrder compares the object's keys, in the order sent, with runtime.MemStats' fields.
func checkOrder(raw json.RawMessage) {
	var want []string
	kind := reflect.TypeOf(runtime.MemStats{})
	for i := 0; i < kind.NumField(); i++ {
		want = append(want, kind.Field(i).Name)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil {
		fail("memstats: %v", err)
	}
	var got []string
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			fail("memstats: %v", err)
		}
		got = append(got, key.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			fail("memstats.%s: %v", key, err)
		}
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		fail("memstats keys\n  got  %s\n  want %s", strings.Join(got, " "), strings.Join(want, " "))
	}
}

func checkLengths(raw json.RawMessage) {
	var arrays struct {
		PauseNs, PauseEnd, BySize []json.RawMessage
	}
	if err := json.Unmarshal(raw, &arrays); err != nil {
		fail("memstats arrays: %v", err)
	}
	if len(arrays.PauseNs) != 256 || len(arrays.PauseEnd) != 256 || len(arrays.BySize) != 61 {
		fail("memstats arrays: PauseNs %d, PauseEnd %d, BySize %d entries (want 256, 256, 61)",
			len(arrays.PauseNs), len(arrays.PauseEnd), len(arrays.BySize))
	}
}

func load(source string) ([]byte, error) {
	if !strings.HasPrefix(source, "http://") && !strings.HasPrefix(source, "https://") {
		return os.ReadFile(source)
	}
	client := http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get(source)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP status %d", resp.StatusCode)
	}
	return io.ReadAll(resp.Body)
}

func fail(format string, args ...any) {
	fmt.Printf("FAIL: "+format+"\n", args...)
	os.Exit(1)
}
