using System.Globalization;
using System.Text;

namespace Switchboard.IntegrationTests.Support;

/// <summary>One sample of a scrape: a series' name, its labels and its value.</summary>
public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>
/// A scrape in the Prometheus text format (version 0.0.4), parsed: every sample, and each family's <c># TYPE</c>. The
/// service's exposition is written by its library; this small parser only lets tests read it.
/// </summary>
public sealed class Exposition
{
    private Exposition(string text, List<Sample> samples, Dictionary<string, string> types)
    {
        Text = text;
        Samples = samples;
        Types = types;
    }

    public string Text { get; }
    public IReadOnlyList<Sample> Samples { get; }

    /// <summary>Family name → counter, gauge, histogram, summary or untyped.</summary>
    public IReadOnlyDictionary<string, string> Types { get; }

    public static async Task<Exposition> ScrapeAsync(HttpClient http, Uri node)
    {
        using var response = await http.GetAsync(new Uri(node, "/metrics"));
        response.EnsureSuccessStatusCode();
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType);
        return Parse(await response.Content.ReadAsStringAsync());
    }

    public bool Has(string name) => Samples.Any(s => s.Name == name);

    /// <summary>The sum of the samples named <paramref name="name"/> whose labels include all of <paramref name="labels"/>.</summary>
    public double Value(string name, params (string Label, string Value)[] labels) =>
        Samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Label, out var v) && v == l.Value))
            .Sum(s => s.Value);

    /// <summary>The values the samples named <paramref name="name"/> give <paramref name="label"/>.</summary>
    public IReadOnlySet<string> LabelValues(string name, string label) =>
        Samples.Where(s => s.Name == name && s.Labels.ContainsKey(label)).Select(s => s.Labels[label]).ToHashSet();

    public static Exposition Parse(string text)
    {
        var samples = new List<Sample>();
        var types = new Dictionary<string, string>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0)
                continue;
            if (line.StartsWith('#'))
            {
                var parts = line.Split(' ', 4);
                if (parts is [_, "TYPE", var family, var type])
                    types[family] = type;
                continue;
            }
            samples.Add(ParseSample(line));
        }
        return new Exposition(text, samples, types);
    }

    // name{label="value",...} value [timestamp]; label values escape \\, \" and \n.
    private static Sample ParseSample(string line)
    {
        var i = 0;
        while (i < line.Length && line[i] is not ('{' or ' '))
            i++;
        var name = line[..i];
        var labels = new Dictionary<string, string>();
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (line[i] != '}')
            {
                var equals = line.IndexOf('=', i);
                var label = line[i..equals].Trim();
                i = equals + 1;
                Assert.Equal('"', line[i++]);
                var value = new StringBuilder();
                while (line[i] != '"')
                {
                    if (line[i] == '\\')
                    {
                        i++;
                        value.Append(line[i] == 'n' ? '\n' : line[i]);
                    }
                    else
                        value.Append(line[i]);
                    i++;
                }
                i++;
                labels[label] = value.ToString();
                if (line[i] == ',')
                    i++;
            }
            i++;
        }
        var fields = line[i..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var number = fields[0] switch
        {
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            "NaN" => double.NaN,
            var n => double.Parse(n, NumberStyles.Float, CultureInfo.InvariantCulture),
        };
        return new Sample(name, labels, number);
    }
}
