/** Reports about a run directory: {@link io.axlearn.trainer.report.RunReport}, one HTML page. */
package io.axlearn.trainer.report;
