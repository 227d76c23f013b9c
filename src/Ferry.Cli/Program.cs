using Ferry.Server.Hosting;
using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
await FerryServerHost.RunAsync(new ServerOptions(Environment.GetEnvironmentVariable("FERRY_HOME")!, args.Length > 1 ? args[1] : "127.0.0.1:7878"), cts.Token);
return 0;
