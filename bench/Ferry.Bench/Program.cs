using Ferry.Bench;

return args.FirstOrDefault() switch
{
    "adler32" => Adler32Bench.Run(args.Skip(1).ToArray()),
    "copy" => await CopyBench.Run(args.Skip(1).ToArray()),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: dotnet run -c Release --project bench/Ferry.Bench -- adler32 [MiB]");
    Console.Error.WriteLine("       bench/upload-vs-cp.sh [files] [size-bytes] [runs]");
    return 2;
}
