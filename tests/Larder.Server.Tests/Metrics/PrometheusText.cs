using System.Globalization;

namespace Larder.Server.Tests.Metrics;

/// <summary>The samples of a Prometheus text exposition, for assertions on how much a series moved.</summary>
public sealed class PrometheusText
{
    private readonly List<(string Name, string Labels, double Value)> _samples = [];

    private PrometheusText()
    {
    }

    public static async Task<PrometheusText> ScrapeAsync(HttpClient client)
    {
        var text = new PrometheusText();
        foreach (var line in (await client.GetStringAsync("metrics")).Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }
            var space = line.LastIndexOf(' ');
            var series = line[..space];
            var brace = series.IndexOf('{', StringComparison.Ordinal);
            text._samples.Add((
                brace < 0 ? series : series[..brace],
                brace < 0 ? "" : series[brace..],
                double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture)));
        }
        return text;
    }

    /// <summary>The sum of the samples of <paramref name="name"/> having every label pair of <paramref name="labels"/> (<c>cache="x"</c>).</summary>
    public double Sum(string name, params string[] labels) =>
        _samples.Where(s => s.Name == name && labels.All(l => s.Labels.Contains(l, StringComparison.Ordinal))).Sum(s => s.Value);
}
