/**
 * Every UI string, in English and Chinese. Components take text from here only, so the two
 * languages cannot drift apart: the Chinese table must have every key of the English one.
 */
export const en = {
  appName: "CuteGPT Web",
  newChat: "New chat",
  conversations: "Conversations",
  noConversations: "No conversations yet.",
  model: "Model",
  load: "Load model",
  loading: "Loading…",
  loaded: "Ready",
  reload: "Load again",
  send: "Send",
  stop: "Stop",
  composerPlaceholder: "Message CuteGPT… (Enter to send, Shift+Enter for a new line)",
  composerLabel: "Message",
  emptyChat: "Pick a model, load it, and ask anything in Chinese or English.",
  you: "You",
  assistant: "Assistant",
  stopped: "Stopped",
  interrupted: "Interrupted: the reply was cut off",
  failed: "Failed",
  phasePreparing: "Preparing",
  phaseFetching: "Downloading weights",
  phaseLoadingCache: "Loading from browser cache",
  phaseCompiling: "Compiling GPU shaders",
  cutegptBadge: "CuteGPT",
  modelMissingHint:
    "CuteGPT's files are not on this server yet. Build them with `npm run model-build` (see model-build/README.md) or pick another model.",
  noWebGpuTitle: "This browser cannot run models",
  noWebGpuApi:
    "WebGPU is not available here. Use Chrome or Edge 113+ on Windows, macOS or ChromeOS (on Linux, enable chrome://flags/#enable-unsafe-webgpu), over https or on localhost. Your saved chats stay readable.",
  noWebGpuAdapter:
    "WebGPU is present but no graphics adapter was found. Turn on hardware acceleration in the browser settings and update the graphics driver. Your saved chats stay readable.",
  unsupportedModel: "Not available on this GPU",
  rejectedRecords: "Some saved chats could not be read and were set aside:",
  saveRetry: "Retry saving",
  catalogError: "Model list unavailable",
  tokens: "tokens",
  promptTokens: "prompt",
  tokPerSec: "tok/s",
  prefill: "prefill",
  dismiss: "Dismiss",
} as const;

export type StringKey = keyof typeof en;

export const zh: Record<StringKey, string> = {
  appName: "CuteGPT Web",
  newChat: "新对话",
  conversations: "对话",
  noConversations: "还没有对话。",
  model: "模型",
  load: "加载模型",
  loading: "加载中…",
  loaded: "就绪",
  reload: "重新加载",
  send: "发送",
  stop: "停止",
  composerPlaceholder: "给 CuteGPT 发消息…（Enter 发送，Shift+Enter 换行）",
  composerLabel: "消息",
  emptyChat: "选择一个模型并加载，然后用中文或英文提问。",
  you: "你",
  assistant: "助手",
  stopped: "已停止",
  interrupted: "已中断：回复被截断",
  failed: "失败",
  phasePreparing: "准备中",
  phaseFetching: "下载权重",
  phaseLoadingCache: "从浏览器缓存加载",
  phaseCompiling: "编译 GPU 着色器",
  cutegptBadge: "CuteGPT",
  modelMissingHint:
    "服务器上还没有 CuteGPT 的模型文件。请用 `npm run model-build` 构建（见 model-build/README.md），或选择其他模型。",
  noWebGpuTitle: "此浏览器无法运行模型",
  noWebGpuApi:
    "此处没有 WebGPU。请在 Windows、macOS 或 ChromeOS 上使用 Chrome 或 Edge 113 以上版本（Linux 需开启 chrome://flags/#enable-unsafe-webgpu），并通过 https 或 localhost 访问。已保存的对话仍可阅读。",
  noWebGpuAdapter:
    "有 WebGPU 但找不到显卡适配器。请在浏览器设置中开启硬件加速并更新显卡驱动。已保存的对话仍可阅读。",
  unsupportedModel: "此 GPU 不支持",
  rejectedRecords: "部分已保存的对话无法读取，已单独保留：",
  saveRetry: "重试保存",
  catalogError: "无法获取模型列表",
  tokens: "词元",
  promptTokens: "提示",
  tokPerSec: "词元/秒",
  prefill: "预填充",
  dismiss: "关闭",
};

export type Strings = Record<StringKey, string>;

export function stringsFor(language: string | undefined): Strings {
  return language?.toLowerCase().startsWith("zh") ? zh : en;
}

export function useStrings(): Strings {
  return stringsFor(typeof navigator === "undefined" ? undefined : navigator.language);
}
