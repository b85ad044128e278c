using Switchboard.Service.Hosting;
using Switchboard.Service.Http;
using Switchboard.Service.Settings;

var builder = WebApplication.CreateBuilder(args);
if (string.IsNullOrEmpty(builder.Configuration["urls"]))
    builder.WebHost.UseUrls("http://localhost:8080");
builder.Services.AddSwitchboard();

var app = builder.Build();
app.MapSwitchboard();

try
{
    await app.RunAsync();
}
catch (SwitchboardSettingsException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
return 0;
