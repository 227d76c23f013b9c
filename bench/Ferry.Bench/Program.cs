using Ferry.Bench;
using Ferry.Bench.VsRucio;

// Each benchmark is a name on the command line; see docs/benchmarks.md for what each measures.
return args.FirstOrDefault() switch
{
    "adler32" => Adler32Bench.Run(args[1..]),
    "copy" => await CopyBench.Run(args[1..]),
    "rules" => await RuleBench.Run(args[1..]),
    "store" => await StoreBench.Run(args[1..]),
    "consistency" => await ConsistencyBench.Run(args[1..]),
    "catalog" => await CatalogBench.Run(args[1..]),
    "vs-rucio" => await VsRucioBench.Run(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: dotnet run -c Release --project bench/Ferry.Bench -- adler32 [total-MiB] [repetitions] [buffer-KiB]");
    Console.Error.WriteLine("       dotnet run -c Release --project bench/Ferry.Bench -- copy SRC-DIR WORK-DIR [parallel]");
    Console.Error.WriteLine("       dotnet run -c Release --project bench/Ferry.Bench -- rules [files] [rules-to-list]");
    Console.Error.WriteLine("       dotnet run -c Release --project bench/Ferry.Bench -- store SRC-DIR SCHEME HOST PORT PREFIX [parallel] [key=value...]");
    Console.Error.WriteLine("       dotnet run -c Release --project bench/Ferry.Bench -- consistency [replicas] [runs]");
    Console.Error.WriteLine("       dotnet run -c Release --project bench/Ferry.Bench -- catalog sqlite|postgres://... [files] [rule-files] [list-dids] [transfers]");
    Console.Error.WriteLine("       dotnet run -c Release --project bench/Ferry.Bench -- " + VsRucioBench.UsageLine);
    Console.Error.WriteLine("       bench/upload-vs-cp.sh [files] [size-bytes] [runs]");
    return 2;
}
