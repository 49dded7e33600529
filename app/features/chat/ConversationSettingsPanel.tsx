import { useId } from "react";
import {
  DECODING_DIFFERENCES_HELP,
  matchPreset,
  modelSamplesItself,
  presetSettings,
} from "../../prompt/decoding";
import type { DecodingPresetName, DecodingSettings } from "../../prompt/decoding";
import { useApp } from "../../store/use-app";
import { activeConversation } from "../../store/app-state";
import { useStrings, useTranslate } from "../../i18n/i18n";
import type { ConversationSettings, PromptLayout } from "../../storage/types";
import { DEFAULT_PROMPT_LAYOUT, systemMessage } from "./engine-request";
import { defaultConversationSettings, draftSettingsOf } from "./settings";

const INPUT =
  "w-full rounded border border-zinc-300 bg-white px-2 py-1 text-sm dark:border-zinc-700 dark:bg-zinc-900";

/**
 * Per-conversation generation settings, saved with the conversation: meta prompt, history
 * window, decoding preset and its values, max tokens. Before the first message they apply to
 * the chat about to start.
 */
export function ConversationSettingsPanel() {
  const t = useStrings();
  const tr = useTranslate();
  const id = useId();
  // The settings only, not the conversation: that changes with every streamed token.
  const open = useApp((s) => activeConversation(s) !== undefined);
  const stored = useApp((s) => activeConversation(s)?.settings);
  const draft = useApp((s) => s.draftSettings);
  const model = useApp((s) => s.catalog.find((m) => m.id === s.selectedModelId));
  const update = useApp((s) => s.updateSettings);
  // An open conversation without settings of its own (an older record) gets the defaults.
  const settings = open
    ? (stored ?? defaultConversationSettings())
    : draftSettingsOf({
        draftSettings: draft,
        catalog: model ? [model] : [],
        selectedModelId: model?.id,
      });
  // The selected model answers the next message: the fields that apply are its own.
  const cutegpt = model === undefined || model.family === "cutegpt";
  const modelName = model?.name ?? t.appName;
  const ownValues = modelSamplesItself(settings.decoding);

  const setDecoding = (patch: Partial<DecodingSettings>) => {
    const decoding = { ...settings.decoding, ...patch };
    // Max tokens is sent with every preset; the model's own sampling stays its own.
    const preset = ownValues && Object.keys(patch).every((k) => k === "maxTokens");
    update({
      ...settings,
      decoding: { ...decoding, preset: preset ? "model" : matchPreset(decoding) },
    });
  };
  const set = (patch: Partial<ConversationSettings>) => update({ ...settings, ...patch });
  const layout = settings.promptLayout ?? DEFAULT_PROMPT_LAYOUT;
  const num = (value: string, fallback: number) => {
    const n = Number(value);
    return Number.isFinite(n) ? n : fallback;
  };

  return (
    <details className="border-t border-zinc-200 px-3 py-2 text-sm dark:border-zinc-800">
      <summary className="cursor-pointer text-xs font-medium text-zinc-700 dark:text-zinc-300">
        {t.settingsTitle}
      </summary>
      <div className="mt-2 grid grid-cols-1 gap-3 sm:grid-cols-2">
        <label className="flex flex-col gap-1 sm:col-span-2" htmlFor={`${id}-meta`}>
          <span className="text-xs">
            {cutegpt ? t.settingsMeta : tr("settingsSystem", { model: modelName })}
          </span>
          <textarea
            id={`${id}-meta`}
            rows={2}
            className={INPUT}
            {...(!cutegpt && {
              placeholder: tr("settingsSystemPlaceholder", { model: modelName }),
            })}
            // CuteGPT's meta prompt is not sent to other models (systemMessage): not shown either.
            value={
              !cutegpt && systemMessage(settings.metaPrompt) === undefined
                ? ""
                : settings.metaPrompt
            }
            onChange={(e) => set({ metaPrompt: e.target.value })}
          />
        </label>
        {cutegpt && (
          <label className="flex flex-col gap-1 sm:col-span-2" htmlFor={`${id}-layout`}>
            <span className="text-xs">{t.settingsLayout}</span>
            <select
              id={`${id}-layout`}
              className={INPUT}
              value={layout}
              onChange={(e) => set({ promptLayout: e.target.value as PromptLayout })}
            >
              <option value="training">{t.layoutTraining}</option>
              <option value="reference">{t.layoutReference}</option>
            </select>
          </label>
        )}
        {/* Chat-template models keep every turn that fits (fitChatToBudget): no window. */}
        {cutegpt && (
          <label className="flex flex-col gap-1" htmlFor={`${id}-history`}>
            <span className="text-xs">{t.settingsHistory}</span>
            <input
              id={`${id}-history`}
              type="number"
              min={0}
              max={20}
              // The training layout keeps what fits; the window is the reference layout's.
              disabled={layout === "training"}
              className={INPUT}
              value={settings.historyLimit}
              onChange={(e) =>
                set({
                  historyLimit: Math.max(0, Math.floor(num(e.target.value, settings.historyLimit))),
                })
              }
            />
          </label>
        )}
        <label className="flex flex-col gap-1" htmlFor={`${id}-preset`}>
          <span className="text-xs">{t.settingsPreset}</span>
          <select
            id={`${id}-preset`}
            className={INPUT}
            value={settings.decoding.preset}
            onChange={(e) => {
              const name = e.target.value as DecodingPresetName | "custom";
              if (name !== "custom") set({ decoding: presetSettings(name) });
            }}
          >
            <option value="model">{tr("presetModel", { model: modelName })}</option>
            <option value="reference">{t.presetReference}</option>
            <option value="creative">{t.presetCreative}</option>
            <option value="custom" disabled>
              {t.presetCustom}
            </option>
          </select>
        </label>
        {(
          [
            ["temperature", t.settingsTemperature, 0, 2, 0.05],
            ["topP", t.settingsTopP, 0, 1, 0.05],
            ["repetitionPenalty", t.settingsRepetition, 1, 2, 0.05],
            ["maxTokens", t.settingsMaxTokens, 1, 1536, 1],
          ] as const
        ).map(([key, label, min, max, step]) => {
          // With the model's own preset its generation config decides; the field says so.
          const own = ownValues && key !== "maxTokens";
          return (
            <label key={key} className="flex flex-col gap-1" htmlFor={`${id}-${key}`}>
              <span className="text-xs">{label}</span>
              <input
                id={`${id}-${key}`}
                type={own ? "text" : "number"}
                min={min}
                max={max}
                step={step}
                disabled={own}
                className={INPUT}
                value={own ? tr("settingsModelOwn", { model: modelName }) : settings.decoding[key]}
                onChange={(e) => {
                  const value = Math.min(
                    max,
                    Math.max(min, num(e.target.value, settings.decoding[key])),
                  );
                  setDecoding({ [key]: key === "maxTokens" ? Math.round(value) : value });
                }}
              />
            </label>
          );
        })}
        {cutegpt && (
          <p className="text-xs whitespace-pre-line text-zinc-600 sm:col-span-2 dark:text-zinc-400">
            {DECODING_DIFFERENCES_HELP}
          </p>
        )}
      </div>
    </details>
  );
}
