namespace Switchboard.Cli;

/// <summary>What a script can rely on: 0 done, 1 the node refused or could not be reached, 2 the command line was wrong.</summary>
public static class ExitCodes
{
    public const int Done = 0;
    public const int Refused = 1;
    public const int Usage = 2;
}
