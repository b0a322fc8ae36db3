// burn is the Go program the symbolizer tests build with each Go toolchain on the machine.
//
//	burn run MILLIS   burns CPU for about MILLIS ms (hashing, sorting, recursion, a goroutine), for perf
//	burn frames       reads hex addresses on stdin; prints "addr<TAB>outer<TAB>inner" for each: the
//	                  function and the innermost inlined callee there, as the Go runtime itself
//	                  names them (runtime.FuncForPC: the independent truth)
package main

import (
	"bufio"
	"crypto/sha256"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

type worker struct{ n int }

func (w *worker) hash(b []byte) [32]byte {
	w.n++
	return sha256.Sum256(b)
}

func fib(n int) int {
	if n < 2 {
		return n
	}
	return fib(n-1) + fib(n-2)
}

func sorter(n int) int {
	xs := make([]int, n)
	for i := range xs {
		xs[i] = (i * 7919) % n
	}
	sort.Ints(xs)
	return xs[n/2]
}

func burn(end time.Time) int {
	w := &worker{}
	s := 0
	for time.Now().Before(end) {
		h := w.hash([]byte(strconv.Itoa(s)))
		s += int(h[0]) + fib(18) + sorter(3000)
	}
	return s
}

func frames() {
	in := bufio.NewScanner(os.Stdin)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		line := strings.TrimSpace(in.Text())
		if line == "" {
			continue
		}
		pc, err := strconv.ParseUint(line, 16, 64)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bad address:", line)
			os.Exit(2)
		}
		// FuncForPC names the innermost function at pc (an inlined callee when pc is inside an
		// inlined call) with the entry of the physical, outermost function.
		inner := runtime.FuncForPC(uintptr(pc))
		if inner == nil {
			fmt.Fprintf(out, "%x\t\t\n", pc)
			continue
		}
		outer := runtime.FuncForPC(inner.Entry())
		fmt.Fprintf(out, "%x\t%s\t%s\n", pc, outer.Name(), inner.Name())
	}
}

func main() {
	if len(os.Args) >= 2 && os.Args[1] == "frames" {
		frames()
		return
	}
	if len(os.Args) < 3 || os.Args[1] != "run" {
		fmt.Fprintln(os.Stderr, "usage: burn run MILLIS | burn frames")
		os.Exit(64)
	}
	ms, _ := strconv.Atoi(os.Args[2])
	end := time.Now().Add(time.Duration(ms) * time.Millisecond)
	var wg sync.WaitGroup
	total := 0
	var mu sync.Mutex
	wg.Add(1)
	go func() {
		defer wg.Done()
		r := burn(end)
		mu.Lock()
		total += r
		mu.Unlock()
	}()
	r := burn(end)
	wg.Wait()
	fmt.Println(total + r)
}
