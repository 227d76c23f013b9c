using Ferry.Cli;

return await FerryCli.RunAsync(args);
