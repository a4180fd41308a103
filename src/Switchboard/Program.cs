using Switchboard.Cli;

return await SwitchboardCommand.Create().Parse(args).InvokeAsync();
