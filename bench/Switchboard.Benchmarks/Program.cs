using BenchmarkDotNet.Running;

// typeof(Program) would be ambiguous: the hub's own Program is visible here too.
BenchmarkSwitcher.FromAssembly(typeof(Switchboard.Benchmarks.EventJsonBenchmarks).Assembly).Run(args);
