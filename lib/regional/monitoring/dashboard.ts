// Cloud Monitoring dashboard JSON, built as plain objects whose keys are
// written in a fixed order, so the same input always gives the same string
// and a plan shows a dashboard change only when its content changed.
// Nothing here may contain "${" or "%{" of its own: Terraform would read it
// as an interpolation (only the references of other resources may).

export interface Series {
  readonly filter: string;
  readonly aligner: string;
  /** @default "60s" */
  readonly alignmentPeriod?: string;
  readonly reducer?: string;
  readonly groupBy?: readonly string[];
}

export interface Widget {
  readonly title: string;
  /** Whole row instead of half of it. */
  readonly wide?: boolean;
  readonly body: { readonly [kind: string]: unknown };
}

/** A line chart of one or more time series. */
export function chart(title: string, yLabel: string, series: readonly Series[]): Widget {
  return {
    title,
    body: {
      xyChart: {
        dataSets: series.map((s) => ({
          plotType: "LINE",
          targetAxis: "Y1",
          timeSeriesQuery: {
            timeSeriesFilter: {
              filter: s.filter,
              aggregation: {
                alignmentPeriod: s.alignmentPeriod ?? "60s",
                perSeriesAligner: s.aligner,
                crossSeriesReducer: s.reducer,
                groupByFields: s.groupBy ? [...s.groupBy] : undefined,
              },
            },
          },
        })),
        yAxis: { label: yLabel, scale: "LINEAR" },
      },
    },
  };
}

/** A markdown text tile across the whole row. */
export function text(title: string, markdown: string): Widget {
  return { title, wide: true, body: { text: { content: markdown, format: "MARKDOWN" } } };
}

/** Open incidents of the given alert policies, across the whole row. */
export function incidents(title: string, policyNames: readonly string[]): Widget {
  return { title, wide: true, body: { incidentList: { policyNames: [...policyNames] } } };
}

const COLUMNS = 48;
const HALF = COLUMNS / 2;
const HEIGHT = 16;
const TEXT_HEIGHT = 8;

/**
 * The dashboard JSON: widgets laid out in order, two charts per row, wide
 * widgets on a row of their own.
 */
export function dashboardJson(displayName: string, widgets: readonly Widget[]): string {
  const tiles: object[] = [];
  let y = 0;
  let x = 0;
  let rowHeight = 0;
  const newRow = () => {
    y += rowHeight;
    x = 0;
    rowHeight = 0;
  };
  for (const w of widgets) {
    const width = w.wide ? COLUMNS : HALF;
    const height = "text" in w.body ? TEXT_HEIGHT : HEIGHT;
    if (x + width > COLUMNS) newRow();
    tiles.push({ xPos: x, yPos: y, width, height, widget: { title: w.title, ...w.body } });
    x += width;
    rowHeight = Math.max(rowHeight, height);
    if (x >= COLUMNS) newRow();
  }
  return JSON.stringify({ displayName, mosaicLayout: { columns: COLUMNS, tiles } });
}
