using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace Switchboard.IntegrationTests.Support;

/// <summary>
/// The dashboard page in a real headless Chromium, driven through Playwright: the system's <c>chromium</c>
/// (<see cref="HeadlessBrowser.Executable"/>) with Playwright's driver from its NuGet package, so nothing is downloaded.
/// Every request the page makes is kept, to check where the key went.
/// </summary>
public sealed class DashboardBrowser : IAsyncDisposable
{
    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;
    private readonly ConcurrentQueue<IRequest> _requests = new();

    private DashboardBrowser(IPlaywright playwright, IBrowser browser, IPage page)
    {
        _playwright = playwright;
        _browser = browser;
        Page = page;
        page.Request += (_, request) => _requests.Enqueue(request);
    }

    public IPage Page { get; }

    public IReadOnlyCollection<IRequest> Requests => _requests.ToArray();

    public static async Task<DashboardBrowser> OpenAsync(Uri dashboard)
    {
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = HeadlessBrowser.Executable,
                Headless = true,
                Args = HeadlessBrowser.Flags,
            });
            var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 1280 } });
            var opened = new DashboardBrowser(playwright, browser, page);
            await page.GotoAsync(dashboard.ToString());
            return opened;
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>A number the page shows as an element's <c>data-value</c> (the tiles) or <c>data-latest</c> (the charts).</summary>
    public async Task<double?> NumberAsync(string selector, string attribute = "data-value")
    {
        var text = await Page.Locator(selector).First.GetAttributeAsync(attribute);
        return double.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var value) ? value : null;
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.CloseAsync(); // Playwright ends the browser process it started
        _playwright.Dispose();
    }
}
