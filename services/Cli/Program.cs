// The `streaming` command line: see Cli.Create for the commands, ExitCodes for what scripts can rely on.
return await Streaming.Cli.Cli.InvokeAsync(args);
