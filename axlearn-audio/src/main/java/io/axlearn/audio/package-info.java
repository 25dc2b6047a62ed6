/**
 * Audio: WAV input, log-mel frontend, conformer encoder and CTC. The module exists so that
 * dependencies point one way (core, then audio, then examples); its classes arrive with the audio
 * issues.
 */
package io.axlearn.audio;
