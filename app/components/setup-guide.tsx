import { Banner, BlockStack, Box, Button, Card, InlineStack, ProgressBar, Text } from "@shopify/polaris";
import { useEffect } from "react";
import type { SetupChecklist, SetupStep } from "../../core/setup-checklist.ts";

/**
 * The setup guide on the admin's home: setupChecklist()'s five steps as a checklist that ticks
 * itself. Every tick comes from the state passed in; this component only shows it. It asks for a
 * re-check (`onRecheck`) when the merchant comes back to the tab, e.g. from the theme editor the
 * deep links open in a new tab, and offers "Dismiss" only once every step is done.
 */
export interface SetupGuideProps {
  checklist: SetupChecklist;
  /** The merchant dismissed the finished guide: nothing is shown. */
  dismissed?: boolean;
  /** "Dismiss", offered once complete; the caller keeps the choice. */
  onDismiss?: () => void;
  /** Re-reads the state ("Check again", and on coming back to the tab). */
  onRecheck?: () => void;
  rechecking?: boolean;
  /** An app path as a link (e.g. useAppHref(), which keeps the shop parameter); default: unchanged. */
  href?: (path: string) => string;
}

const isExternal = (url: string) => /^https?:\/\//.test(url);

/** A tick in a filled circle, or an empty circle: drawn here, so no icon package is needed. */
function StepMark(props: { done: boolean }) {
  const colour = props.done ? "var(--p-color-icon-success)" : "var(--p-color-icon-secondary)";
  return (
    <svg width="20" height="20" viewBox="0 0 20 20" role="img" aria-label={props.done ? "Done" : "Not done"} style={{ flex: "none" }}>
      {props.done ? (
        <>
          <circle cx="10" cy="10" r="9" fill={colour} />
          <path d="M6 10.5l2.5 2.5 5.5-6" fill="none" stroke="var(--p-color-bg-surface)" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" />
        </>
      ) : (
        <circle cx="10" cy="10" r="8.25" fill="none" stroke={colour} strokeWidth="1.5" strokeDasharray="3 2" />
      )}
    </svg>
  );
}

function Step(props: { step: SetupStep; href: (path: string) => string }) {
  const { step } = props;
  const titleId = `wand-setup-${step.id}`;
  const action = step.action;
  return (
    <li aria-labelledby={titleId}>
      <InlineStack gap="300" wrap={false} blockAlign="start">
        <StepMark done={step.done} />
        <BlockStack gap="100">
          <Text as="h3" variant="headingSm" id={titleId} tone={step.done ? "subdued" : undefined}>
            {step.title}
          </Text>
          <Text as="p" tone="subdued">
            {step.explanation}
          </Text>
          {step.progress?.percent != null ? <ProgressBar progress={step.progress.percent} size="small" tone="highlight" ariaLabelledBy={titleId} /> : null}
          {action && !step.done ? (
            <Box paddingBlockStart="100">
              {isExternal(action.url) ? (
                <Button url={action.url} target="_blank">
                  {action.label}
                </Button>
              ) : (
                <Button url={props.href(action.url)}>{action.label}</Button>
              )}
            </Box>
          ) : null}
        </BlockStack>
      </InlineStack>
    </li>
  );
}

export function SetupGuide(props: SetupGuideProps) {
  const { checklist, onRecheck } = props;
  const { complete } = checklist;

  useEffect(() => {
    if (!onRecheck || complete) return;
    const comeBack = () => {
      if (document.visibilityState === "visible") onRecheck();
    };
    document.addEventListener("visibilitychange", comeBack);
    return () => document.removeEventListener("visibilitychange", comeBack);
  }, [onRecheck, complete]);

  if (props.dismissed) return null;
  const href = props.href ?? ((path: string) => path);
  const progressId = "wand-setup-progress";
  return (
    <Card>
      <BlockStack gap="400">
        <BlockStack gap="200">
          <InlineStack align="space-between" blockAlign="center">
            <Text as="h2" variant="headingMd">
              Set up WandStore
            </Text>
            {complete && props.onDismiss ? (
              <Button variant="tertiary" onClick={props.onDismiss} accessibilityLabel="Dismiss the setup guide">
                Dismiss
              </Button>
            ) : null}
          </InlineStack>
          <Text as="p" tone="subdued" id={progressId}>
            {`${checklist.doneCount} of ${checklist.total} steps done`}
          </Text>
          <ProgressBar progress={Math.round((checklist.doneCount / checklist.total) * 100)} size="small" tone={complete ? "success" : "highlight"} ariaLabelledBy={progressId} />
        </BlockStack>
        <ol style={{ listStyle: "none", margin: 0, padding: 0, display: "grid", gap: "var(--p-space-400)" }}>
          {checklist.steps.map((step) => (
            <Step key={step.id} step={step} href={href} />
          ))}
        </ol>
        {complete ? (
          <Banner tone="success">{`All ${checklist.total} steps are done: every shopper now gets the page for their persona.`}</Banner>
        ) : onRecheck ? (
          <InlineStack>
            <Button onClick={onRecheck} loading={props.rechecking}>
              Check again
            </Button>
          </InlineStack>
        ) : null}
      </BlockStack>
    </Card>
  );
}
