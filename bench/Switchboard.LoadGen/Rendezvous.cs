namespace Switchboard.LoadGen;

/// <summary>
/// Where several load-generator processes meet: each announces it is ready with a file in the
/// sync folder, and waits until all are.
/// </summary>
public sealed class Rendezvous(LoadOptions options)
{
    public bool Alone => options.Processes <= 1;

    public async Task AllReadyAsync(string stage)
    {
        if (Alone)
            return;
        var folder = options.SyncDirectory ?? throw new ArgumentException("--sync-dir is required with --processes");
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, $"{stage}.{options.ProcessIndex}"), "");
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(10);
        while (Directory.GetFiles(folder, $"{stage}.*").Length < options.Processes)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"not every load generator reached \"{stage}\"");
            await Task.Delay(100);
        }
    }
}
