namespace Pulseboard.Projection.Sections;

/// <summary>What a section shows on a Grafana dashboard, built from the series <c>/metrics</c> serves for it.</summary>
internal enum PanelShape
{
    /// <summary>Text, not a number: a note linking to the Pulseboard page.</summary>
    Note,

    /// <summary>One number: <c>pulseboard_section_value</c> as a stat.</summary>
    Number,

    /// <summary>A number over time: <c>pulseboard_section_value</c> as a time series, on the whole width.</summary>
    Series,

    /// <summary>Seconds since each source was last seen, coloured by the section's thresholds, on the whole width.</summary>
    Staleness,
}

/// <summary>The panel a section becomes, said by its kind (<see cref="SectionPlan.Panel"/>).</summary>
/// <param name="Shape">What the panel shows.</param>
/// <param name="LateAfter">For <see cref="PanelShape.Staleness"/>: silent longer than this is late.</param>
/// <param name="DownAfter">For <see cref="PanelShape.Staleness"/>: silent longer than this is down.</param>
internal readonly record struct SectionPanel(PanelShape Shape, TimeSpan LateAfter = default, TimeSpan DownAfter = default)
{
    /// <summary>Whether the panel takes the dashboard's whole width.</summary>
    public bool Wide => Shape is PanelShape.Series or PanelShape.Staleness;
}
