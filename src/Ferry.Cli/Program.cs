using Ferry.Server.Hosting;
using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
var i = Array.IndexOf(args, "--listen");
await FerryServerHost.RunAsync(new ServerOptions(Environment.GetEnvironmentVariable("FERRY_HOME")!, i >= 0 ? args[i + 1] : "127.0.0.1:7878"), cts.Token);
return 0;
