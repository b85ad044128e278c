namespace Switchboard.Cli.Tests.Support;

public static class TableRow
{
    /// <summary>The cells of one drawn table row, trimmed, without its borders.</summary>
    public static string[] Cells(string row) =>
        row.Split(['│', '|'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(c => c.Length > 0).ToArray();
}
